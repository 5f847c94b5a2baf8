"""Type aliases of the public API, for its annotations (PEP 484; the
package ships py.typed).  NumPy's types are seen by type checkers only:
at run time they are Any, and NumPy is never imported here.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

__all__ = ["PathArg", "DTypeArg", "ShapeArg", "BytesLike", "ArrayLike",
           "NDArray"]

# A path as every call takes it: str, bytes or os.PathLike (os.fspath()).
PathArg = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]

# Bytes as the pure functions over bytes take them.
BytesLike = Union[bytes, bytearray, memoryview]

# A shape: a sequence of ints, or one int for a 1-D shape; create() takes
# None as the first dimension of a growing buffer.
ShapeArg = Union[Sequence[Optional[int]], int]

if TYPE_CHECKING:
    import numpy
    import numpy.typing

    # What parse_dtype() takes: a type string, a Python or NumPy scalar
    # type, a NumPy dtype (anything with a .str type string).
    DTypeArg = Union[str, type, numpy.dtype[Any]]
    ArrayLike = numpy.typing.ArrayLike
    NDArray = numpy.ndarray[Any, Any]
else:
    DTypeArg = Union[str, type, Any]
    ArrayLike = Any
    NDArray = Any

// The MicroPython headers the engine's FFI is generated from.
#include "py/mpconfig.h"
#include "py/misc.h"

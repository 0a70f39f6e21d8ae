#ifndef EXPOSURE_CZLIB_SHIM_H
#define EXPOSURE_CZLIB_SHIM_H
#include <zlib.h>
#endif

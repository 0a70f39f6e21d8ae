#ifndef EXPOSURE_COPENAL_SHIM_H
#define EXPOSURE_COPENAL_SHIM_H
#define AL_ALEXT_PROTOTYPES 1
#include <AL/al.h>
#include <AL/alc.h>
#include <AL/alext.h>
#endif

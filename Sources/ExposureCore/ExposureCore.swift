// ExposureCore: module placeholder; see README Architecture.

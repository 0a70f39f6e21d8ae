// SessionRuntime: module placeholder; see README Architecture.

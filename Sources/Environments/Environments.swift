// Environments: module placeholder; see README Architecture.

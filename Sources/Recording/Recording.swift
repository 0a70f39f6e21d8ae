// Recording: module placeholder; see README Architecture.

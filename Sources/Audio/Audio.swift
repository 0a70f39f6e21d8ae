// Audio: module placeholder; see README Architecture.

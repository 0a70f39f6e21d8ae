// Control: module placeholder; see README Architecture.

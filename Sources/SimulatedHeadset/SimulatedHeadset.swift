// SimulatedHeadset: module placeholder; see README Architecture.

print("exposure: placeholder")

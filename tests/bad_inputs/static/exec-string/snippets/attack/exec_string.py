exec("import g" + "c; print(len(gc.get_objects()))")

collector = __import__("g" + "c")
print(len(collector.get_objects()))

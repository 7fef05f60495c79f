class Anything:
    def __eq__(self, other):
        return True


dtype = Anything()

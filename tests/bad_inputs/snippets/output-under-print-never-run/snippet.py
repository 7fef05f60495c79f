if False:
    print('loaded in bfloat16')
    #> loaded in bfloat16
x = 1

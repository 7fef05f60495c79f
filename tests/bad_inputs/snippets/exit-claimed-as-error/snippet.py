raise SystemExit('fine')

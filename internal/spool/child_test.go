package spool

const childEnv = "STREAMLL_SPOOL_TEST_CHILD"

func runChild(string) int { return 0 }

module tailshard.io/probvectors

go 1.21

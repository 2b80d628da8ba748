// Command probvectors prints test vectors for the tail_sampling "probabilistic" policy, computed
// the way the OpenTelemetry Collector computes them, so the Java implementation can be checked
// against an independent peer that uses Go's own hash/fnv and math/big.
//
// The rule (tail_sampling processor, probabilistic policy):
//   - hash: FNV-1a 64 over the bytes of the salt ("default-hash-seed" when the salt is empty),
//     then over the 16 trace-id bytes;
//   - threshold: (2^64-1) as a 64-bit big.Float, multiplied by the float64 ratio
//     percentage/100, the product rounded to the receiver's 64-bit precision (nearest even),
//     then truncated to uint64 (saturating at 2^64-1);
//   - sampled when hash <= threshold (unsigned).
//
// Regenerate the committed vectors from the repository root with:
//
//	(cd sampling-tier/src/test/go/probvectors && go run .) \
//	  > sampling-tier/src/test/resources/tailsampling/probabilistic-vectors.csv
//
// The output is deterministic: trace ids come from a fixed-seed generator.
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/big"
	"math/rand"
	"os"
	"strconv"
)

const defaultSalt = "default-hash-seed"

func hashOf(salt string, traceID []byte) uint64 {
	if salt == "" {
		salt = defaultSalt
	}
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write(traceID)
	return h.Sum64()
}

func thresholdOf(percentage float64) uint64 {
	ratio := percentage / 100 // float64 division, as the Collector does it
	limit := new(big.Float).SetInt(new(big.Int).SetUint64(math.MaxUint64))
	product := limit.Mul(limit, big.NewFloat(ratio))
	t, _ := product.Uint64()
	return t
}

func main() {
	rng := rand.New(rand.NewSource(20261121))
	var ids [][]byte
	fixed := []string{
		"00000000000000000000000000000000",
		"ffffffffffffffffffffffffffffffff",
		"0102030405060708090a0b0c0d0e0f10",
		"4bf92f3577b34da6a3ce929d0e0e4736",
		"80000000000000000000000000000000",
		"00000000000000000000000000000001",
	}
	for _, s := range fixed {
		b, err := hex.DecodeString(s)
		if err != nil {
			panic(err)
		}
		ids = append(ids, b)
	}
	for len(ids) < 64 {
		b := make([]byte, 16)
		rng.Read(b)
		ids = append(ids, b)
	}

	salts := []string{"", defaultSalt, "tier-2", "x", "a salt with spaces", "sälz-ünïcødé"}
	percentages := []float64{
		0, 5e-324, 1e-9, 0.0001, 0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 12.345, 25,
		33.333333333333336, 49.99999999999999, 50, 50.000000000000014, 66.6, 75, 90, 99,
		99.9, 99.99999999999999, 100,
	}

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	fmt.Fprintln(out, "trace_id,salt,percentage,hash,threshold,sampled")
	row := 0
	for _, salt := range salts {
		for _, p := range percentages {
			// Three trace ids per (salt, percentage), walking through the id list.
			for k := 0; k < 3; k++ {
				id := ids[row%len(ids)]
				row++
				h := hashOf(salt, id)
				t := thresholdOf(p)
				fmt.Fprintf(out, "%s,%s,%s,%016x,%016x,%t\n",
					hex.EncodeToString(id), salt, strconv.FormatFloat(p, 'g', -1, 64), h, t, h <= t)
			}
		}
	}
	// Random ids at percentages where about half are kept, so both outcomes are well covered.
	for i := 0; i < 60; i++ {
		id := make([]byte, 16)
		rng.Read(id)
		salt := salts[i%len(salts)]
		p := []float64{30, 50, 70}[i%3]
		h := hashOf(salt, id)
		t := thresholdOf(p)
		fmt.Fprintf(out, "%s,%s,%s,%016x,%016x,%t\n",
			hex.EncodeToString(id), salt, strconv.FormatFloat(p, 'g', -1, 64), h, t, h <= t)
	}
}

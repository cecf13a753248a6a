using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 08 (pruning meets quantization): symmetric linear quantization of a tensor, one
/// step of k-means weight sharing (assignment and centroid update), and the size of a Huffman-coded stream. Expected
/// values come from plain loops; the Huffman size also from an identity that needs no code lengths: the coded stream
/// is as long as the sum of the weights of every merged node.
/// </summary>
public static class Lesson08
{
    /// <summary>Exercise 8.1: q = round(w / s) clamped to ±(2^(b−1) − 1), s = max|w| / (2^(b−1) − 1); values q·s.</summary>
    public static CheckResult CheckQuantizeLinear(Func<Tensor, int, (Tensor Codes, Tensor Values)> quantize) =>
        ExerciseCheck.Run("8.1", "symmetric linear quantization",
            "With b bits the codes run from −(2^(b−1) − 1) to 2^(b−1) − 1, so 0 is a code and stays exactly 0. One scale for the tensor maps its largest |w| to the largest code; every weight becomes the nearest code times that scale.",
            () =>
            {
                foreach (var (name, make, bits) in LinearCases())
                {
                    using var scope = NewDisposeScope();
                    var w = make();
                    var (codes, values) = ExerciseCheck.Learner(name,
                        () => ExerciseCheck.Unchanged(name, [("w", w)], () => quantize(w, bits)), ReferenceUse.Quantize);
                    codes = ExerciseCheck.Shaped(name, "the codes", codes, w.shape, int64);
                    values = ExerciseCheck.Shaped(name, "the values", values, w.shape, float32);
                    var (ws, qs, vs) = (ExerciseCheck.Values(w), ExerciseCheck.Values(codes), ExerciseCheck.Values(values));
                    var qmax = (1 << (bits - 1)) - 1;
                    var scale = ws.Max(Math.Abs) / qmax;
                    for (var i = 0; i < ws.Length; i++)
                    {
                        var exact = ws[i] / scale;
                        var expected = Math.Clamp(Math.Round(exact, MidpointRounding.ToEven), -qmax, qmax);
                        // float32 division may land on the other side of a half: accept either neighbour there.
                        var nearHalf = Math.Abs(Math.Abs(exact - Math.Floor(exact)) - 0.5) < 1e-4;
                        if (qs[i] != expected && !(nearHalf && Math.Abs(qs[i] - expected) == 1))
                            return (false, $"case '{name}' ({bits} bits): weight {i} = {ExerciseCheck.Text(ws[i])} should get code {expected} (scale {ExerciseCheck.Text(scale)}); you gave {qs[i]}.");
                        if (!(Math.Abs(vs[i] - qs[i] * scale) <= 1e-5 * Math.Max(scale, 1e-12) * Math.Max(1, Math.Abs(qs[i]))))
                            return (false, $"case '{name}' ({bits} bits): weight {i} has code {qs[i]}, so its value is code × scale = {ExerciseCheck.Text(qs[i] * scale)}; you gave {ExerciseCheck.Text(vs[i])}.");
                        if (ws[i] == 0 && vs[i] != 0) return (false, $"case '{name}': weight {i} is 0 and must stay exactly 0.");
                    }
                }
                return (true, $"{LinearCases().Count()} cases match: every code and every value, zeros kept.");
            });

    /// <summary>
    /// Exercise 8.2: one k-means step over the non-zero weights — each gets the code 1 + the index of its nearest
    /// centroid (zeros get 0), then each centroid becomes the mean of its weights (an empty one stays where it was).
    /// </summary>
    public static CheckResult CheckKMeansStep(Func<Tensor, Tensor, (Tensor Codes, Tensor Centroids)> step) =>
        ExerciseCheck.Run("8.2", "one k-means step: assign, then update",
            "Every non-zero weight goes to the centroid closest to it (smallest |w − c|); exact zeros are not clustered and keep code 0. Then each centroid moves to the mean of the weights assigned to it.",
            () =>
            {
                foreach (var (name, make) in KMeansCases())
                {
                    using var scope = NewDisposeScope();
                    var (w, centroids) = make();
                    var (codes, updated) = ExerciseCheck.Learner(name,
                        () => ExerciseCheck.Unchanged(name, [("w", w), ("centroids", centroids)], () => step(w, centroids)), ReferenceUse.Sharing);
                    codes = ExerciseCheck.Shaped(name, "the codes", codes, w.shape, int64);
                    updated = ExerciseCheck.Shaped(name, "the new centroids", updated, centroids.shape, float32);
                    var (ws, cs, qs, us) = (ExerciseCheck.Values(w), ExerciseCheck.Values(centroids), ExerciseCheck.Values(codes), ExerciseCheck.Values(updated));
                    var sums = new double[cs.Length];
                    var counts = new int[cs.Length];
                    for (var i = 0; i < ws.Length; i++)
                    {
                        if (ws[i] == 0)
                        {
                            if (qs[i] != 0) return (false, $"case '{name}': weight {i} is 0, so its code is 0; you gave {qs[i]}.");
                            continue;
                        }
                        var distances = cs.Select(c => Math.Abs(ws[i] - c)).ToArray();
                        var nearest = Array.IndexOf(distances, distances.Min());
                        var got = (int)qs[i] - 1;
                        if (got != nearest && !(got >= 0 && got < cs.Length && distances[got] - distances[nearest] < 1e-6))
                            return (false, $"case '{name}': weight {i} = {ExerciseCheck.Text(ws[i])} is closest to centroid {nearest} ({ExerciseCheck.Text(cs[nearest])}), code {nearest + 1}; you gave code {qs[i]}.");
                        sums[got] += ws[i];
                        counts[got]++;
                    }
                    for (var c = 0; c < cs.Length; c++)
                    {
                        var expected = counts[c] > 0 ? sums[c] / counts[c] : cs[c];
                        if (!(Math.Abs(us[c] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected))))   // NaN fails too
                            return (false, $"case '{name}': centroid {c} should move to {ExerciseCheck.Text(expected)} " +
                                           (counts[c] > 0 ? $"(the mean of its {counts[c]} weights)" : "(no weight chose it, so it stays)") + $"; you gave {ExerciseCheck.Text(us[c])}.");
                    }
                }
                return (true, $"{KMeansCases().Count()} cases match: every code and every centroid, empty clusters kept.");
            });

    /// <summary>Exercise 8.3: the bits of a Huffman-coded stream, Σ count × code length, from the symbol counts.</summary>
    public static CheckResult CheckHuffmanBits(Func<long[], long> huffmanBits) =>
        ExerciseCheck.Run("8.3", "the size of a Huffman-coded stream",
            "Put every symbol that occurs in a pool with its count. Repeatedly take the two smallest out and put back one node with their sum: each merge makes every symbol beneath it one bit longer. A lone symbol still needs one bit.",
            () =>
            {
                foreach (var (name, counts) in HuffmanCases())
                {
                    var copy = counts.ToArray();
                    var got = ExerciseCheck.Learner(name, () => huffmanBits(copy), ReferenceUse.Huffman);
                    if (!copy.SequenceEqual(counts)) return (false, $"case '{name}': your code changed the counts it was given.");
                    var expected = MergedWeight(counts);
                    if (got != expected)
                        return (false, $"case '{name}' (counts {string.Join(", ", counts.Take(8))}{(counts.Length > 8 ? ", …" : "")}): the coded stream takes {expected} bits; you returned {got}.");
                }
                return (true, $"{HuffmanCases().Count()} cases match, from the textbook example to 300 symbols.");
            });

    // The coded length is the sum of the weights of all merged nodes (each merge adds one bit to every symbol under it).
    private static long MergedWeight(long[] counts)
    {
        var pool = new PriorityQueue<long, long>();
        foreach (var c in counts.Where(c => c > 0)) pool.Enqueue(c, c);
        if (pool.Count == 1) return pool.Peek();
        long total = 0;
        while (pool.Count > 1)
        {
            var merged = pool.Dequeue() + pool.Dequeue();
            total += merged;
            pool.Enqueue(merged, merged);
        }
        return total;
    }

    private static IEnumerable<(string Name, Func<Tensor> Make, int Bits)> LinearCases()
    {
        yield return ("six weights, 3 bits", () => tensor(new[] { 0f, 0.45f, -1f, 0.26f, -0.1f, 0.8f }), 3);
        yield return ("a 4 × 5 pruned matrix, 2 bits", () => Pruned(4, 5, 81), 2);
        yield return ("a 30 × 20 pruned matrix, 4 bits", () => Pruned(30, 20, 82), 4);
        yield return ("a 30 × 20 pruned matrix, 8 bits", () => Pruned(30, 20, 83), 8);
    }

    private static IEnumerable<(string Name, Func<(Tensor W, Tensor Centroids)> Make)> KMeansCases()
    {
        yield return ("eight weights, three centroids", () =>
            (tensor(new[] { -1f, 0f, -0.9f, 0.1f, 0f, 0.2f, 1.0f, 1.1f }), tensor(new[] { -1f, 0.05f, 1.1f })));
        yield return ("an empty cluster stays put", () => (tensor(new[] { 0.1f, 0.2f, 0f, 0.9f }), tensor(new[] { 0.15f, 5f, 1f })));
        yield return ("centroids not in order", () => (tensor(new[] { 0.3f, -0.4f, 0.05f, 0f, -0.02f }), tensor(new[] { 0.4f, -0.5f, 0f })));
        yield return ("a 30 × 20 pruned matrix, 7 centroids", () =>
        {
            var w = Pruned(30, 20, 84);
            return (w, linspace(w.min().item<float>(), w.max().item<float>(), 7));
        });
    }

    private static IEnumerable<(string Name, long[] Counts)> HuffmanCases()
    {
        yield return ("the textbook example", [45, 13, 12, 16, 9, 5]);
        yield return ("one symbol only", [0, 12, 0]);
        yield return ("two symbols", [3, 1]);
        yield return ("unused symbols in between", [10, 0, 0, 7, 0, 2, 2]);
        yield return ("equal counts", [4, 4, 4, 4, 4, 4, 4, 4]);
        var random = new Random(8);
        yield return ("300 random counts", Enumerable.Range(0, 300).Select(_ => (long)random.Next(0, 5000)).ToArray());
    }

    private static Tensor Pruned(int rows, int columns, int seed)
    {
        using var g = new Generator((ulong)seed);
        return randn(rows, columns, generator: g) * rand(rows, columns, generator: g).gt(0.7).to(float32);
    }
}

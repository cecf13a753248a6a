using PruningLab.Compression;
using PruningLab.Pruning;
using PruningLab.Quantization;
using PruningLab.Tests.Quantization;
using static TorchSharp.torch;

namespace PruningLab.Tests.Compression;

/// <summary>Bit accounting against sizes worked out by hand, including filler zeros and Huffman tables.</summary>
public class StorageTests
{
    // 12 entries, non-zeros at positions 0, 1 and 10, as a 3 × 4 matrix.
    private static Tensor ThreeNonZeros() => tensor(new float[,] { { 0.7f, -0.2f, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0.7f, 0 } });

    [Fact]
    public void Huffman_code_lengths_of_the_textbook_example()
    {
        // Cormen et al.'s example: a:45 b:13 c:12 d:16 e:9 f:5 → a 1 bit, b c d 3 bits, e f 4 bits: 224 bits.
        var frequencies = new long[] { 45, 13, 12, 16, 9, 5 };
        Assert.Equal(new[] { 1, 3, 3, 3, 4, 4 }, Huffman.CodeLengths(frequencies));
        Assert.Equal(224, Huffman.StreamBits(frequencies));
        Assert.Equal(224 + 6 * 8, Huffman.TotalBits(frequencies));
        Assert.Equal(new[] { 0, 1, 0 }, Huffman.CodeLengths(new long[] { 0, 7, 0 }));   // one symbol still takes a bit
        Assert.Equal(new[] { 0, 0 }, Huffman.CodeLengths(new long[] { 0, 0 }));
        Assert.Throws<ArgumentException>(() => Huffman.CodeLengths(new long[] { 1, -1 }));
    }

    [Fact]
    public void Kraft_equality_holds_for_random_frequencies()
    {
        // An optimal prefix code is complete: Σ 2^−length = 1 over the symbols that occur.
        var random = new Random(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var frequencies = Enumerable.Range(0, random.Next(2, 40)).Select(_ => (long)random.Next(0, 1000)).ToArray();
            if (frequencies.Count(f => f > 0) < 2) continue;
            var lengths = Huffman.CodeLengths(frequencies);
            var kraft = lengths.Where(l => l > 0).Sum(l => Math.Pow(2, -l));
            Assert.Equal(1.0, kraft, 12);
            // Never worse than a fixed-width code over the symbols that occur.
            var used = frequencies.Count(f => f > 0);
            Assert.True(Huffman.StreamBits(frequencies) <= frequencies.Sum() * QuantizedWeight.BitsFor(used));
        }
    }

    [Fact]
    public void Relative_indices_with_two_bits_need_two_fillers()
    {
        // Span 4. Position 0: gap 1. Position 1: gap 1. Position 10: gap 9 → fillers at 5 and 9 (gaps of 4), then gap 1.
        var entries = RelativeIndices.Encode([0L, 1L, 10L], indexBits: 2);
        Assert.Equal(new long[] { 0, 1, 5, 9, 10 }, entries.Select(e => e.Position));
        Assert.Equal(new[] { 0, 0, 3, 3, 0 }, entries.Select(e => e.GapSymbol));
        Assert.Equal(new[] { false, false, true, true, false }, entries.Select(e => e.Filler));
        using var w = ThreeNonZeros();
        var bits = CompressedSize.Of(w, StorageFormat.Relative(2));
        Assert.Equal(5 * (2 + 32), bits.Total);
        Assert.Equal((5L, 2L), (bits.Entries, bits.Fillers));
        // The same tensor with 4-bit indices (span 16): no filler.
        Assert.Equal(3 * (4 + 32), CompressedSize.Of(w, StorageFormat.Relative(4)).Total);
    }

    [Fact]
    public void Dense_bitmask_and_CSR_of_fp32_values()
    {
        using var w = ThreeNonZeros();
        Assert.Equal(12 * 32, CompressedSize.Of(w, StorageFormat.Dense).Total);
        Assert.Equal(12 + 3 * 32, CompressedSize.Of(w, StorageFormat.Bitmask).Total);
        Assert.Equal(3 * (32 + 8) + 4 * 8, CompressedSize.Of(w, StorageFormat.Csr(8)).Total);   // 3 rows: 4 row pointers
        Assert.Contains("more index bits", Assert.Throws<ArgumentException>(() => CompressedSize.Of(w, StorageFormat.Csr(1))).Message);
    }

    [Fact]
    public void Shared_weights_in_relative_indices_with_and_without_Huffman()
    {
        // Codes 1, 2, 1 at positions 0, 1, 10 with a 3-centroid codebook (2-bit codes, 96 bits of centroids).
        using var codes = tensor(new long[,] { { 1, 2, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 1, 0 } });
        using var book = tensor(new[] { 0.7f, -0.2f, 0.3f });
        using var q = WeightSharing.FromCodes(codes, book, "hand-made");
        var plain = CompressedSize.Of(q, StorageFormat.Relative(2));
        Assert.Equal(new StorageBits(Values: 5 * 2, Indices: 5 * 2, Side: 96, Tables: 0, Entries: 5, Fillers: 2), plain);
        // Huffman. Values 1, 2, 0, 0, 1 (fillers store code 0): counts 2, 2, 1 → lengths 2, 1, 2 → 2·2 + 2·1 + 1·2 = 8 bits,
        // table 4 codes × 8 bits. Gaps 0, 0, 3, 3, 0: counts 3, 0, 0, 2 → one bit each → 5 bits, table 4 × 8 bits.
        var coded = CompressedSize.Of(q, StorageFormat.Relative(2, huffman: true));
        Assert.Equal(new StorageBits(Values: 8, Indices: 5, Side: 96, Tables: 64, Entries: 5, Fillers: 2), coded);
        Assert.Equal(173, coded.Total);
        // Dense storage of the codes: 12 × 2 bits plus the codebook.
        Assert.Equal(12 * 2 + 96, CompressedSize.Of(q, StorageFormat.Dense).Total);
    }

    [Fact]
    public void The_best_relative_width_is_the_smallest_of_all_widths()
    {
        using var g = new Generator(11);
        using var w = randn(30, 40, generator: g) * (rand(30, 40, generator: g) > 0.9f);
        using var q = WeightSharing.Cluster(w, 7);
        var (format, best) = CompressedSize.BestRelative(q, huffman: false);
        for (var k = 1; k <= 16; k++)
            Assert.True(best.Total <= CompressedSize.Of(q, StorageFormat.Relative(k)).Total);
        // At 10 % density the mean gap is 10: widths around 3–5 bits win, 1 bit (a filler every other step) loses badly.
        Assert.InRange(format.IndexBits, 3, 5);
    }

    [Fact]
    public void A_model_counts_its_biases_as_fp32_and_compares_with_dense()
    {
        using var model = nn.Sequential(("fc1", nn.Linear(4, 3)), ("fc2", nn.Linear(3, 2)));
        using (no_grad())
        {
            foreach (var (_, weight) in MagnitudePruning.PrunableWeights(model)) weight.zero_();
            MagnitudePruning.PrunableWeights(model).First().Weight[0, 0] = 0.5f;   // one non-zero in fc1
        }
        // 23 parameters: 18 weights, 5 biases. Dense: 23 × 32 = 736 bits.
        var storage = CompressedSize.OfModel(model, null, _ => StorageFormat.Bitmask);
        Assert.Equal(736, storage.DenseBits);
        Assert.Equal(5 * 32, storage.OtherBits);
        Assert.Equal((12 + 32) + 6 + 160, storage.Total);
        Assert.Equal(736.0 / 210, storage.Ratio, 12);
    }

    [Fact]
    public void Filler_counts_follow_the_gap_formula_on_random_masks()
    {
        // Independent route: a gap g between stored positions needs ⌈g / 2^k⌉ − 1 fillers.
        var random = new Random(9);
        for (var trial = 0; trial < 20; trial++)
        {
            var positions = Enumerable.Range(0, 2000).Where(_ => random.NextDouble() < 0.03).Select(p => (long)p).ToArray();
            var k = random.Next(1, 7);
            long expected = 0, previous = -1;
            foreach (var p in positions) { expected += (long)Math.Ceiling((p - previous) / Math.Pow(2, k)) - 1; previous = p; }
            var entries = RelativeIndices.Encode(positions, k);
            Assert.Equal(expected, entries.Count(e => e.Filler));
            Assert.Equal(positions, entries.Where(e => !e.Filler).Select(e => e.Position));
            Assert.All(entries, e => Assert.InRange(e.GapSymbol, 0, (1 << k) - 1));
        }
    }
}

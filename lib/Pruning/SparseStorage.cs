using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>The size of a stored weight tensor, exact to the bit.</summary>
/// <param name="Bits">Bits in all: values, indices and any other bookkeeping.</param>
/// <param name="Entries">Values stored (non-zeros, plus filler zeros where the format needs them).</param>
/// <param name="Fillers">Filler zeros among <paramref name="Entries"/> (relative indices only).</param>
public sealed record StorageSize(long Bits, long Entries, long Fillers = 0)
{
    /// <summary>Whole bytes needed: the bits rounded up.</summary>
    public long Bytes => (Bits + 7) / 8;
}

/// <summary>
/// How many bits a weight tensor takes in the storage formats of lesson 01: dense, CSR, bitmask, and the relative
/// indices with filler zeros of Deep Compression (Han, Mao &amp; Dally, 2016). Values are fp32 unless said otherwise.
/// Lesson 08's <see cref="Compression.CompressedSize"/> counts quantized codes, codebooks and Huffman coding too.
/// </summary>
public static class SparseStorage
{
    /// <summary>Every weight, zero or not: <c>n × valueBits</c>.</summary>
    public static StorageSize Dense(long total, int valueBits = 32) => new(total * valueBits, total);

    /// <summary>
    /// Compressed sparse row of the weight seen as a [rows × rest] matrix: per non-zero a value and a column index,
    /// plus rows + 1 row pointers, indices of <paramref name="indexBits"/> (int32 by default).
    /// </summary>
    public static StorageSize Csr(long rows, long nonZeros, int valueBits = 32, int indexBits = 32) =>
        new(nonZeros * (valueBits + indexBits) + (rows + 1) * indexBits, nonZeros);

    /// <summary>One bit per weight saying whether it is stored, plus the non-zero values.</summary>
    public static StorageSize Bitmask(long total, long nonZeros, int valueBits = 32) => new(total + nonZeros * valueBits, nonZeros);

    /// <summary>
    /// Relative indices (Deep Compression, section 3): the weight is flattened row by row, and each stored value
    /// carries the gap from the previous stored position (from position −1 for the first) in
    /// <paramref name="indexBits"/> bits, which hold gaps 1 … 2^indexBits (the gap minus one is stored). When the gap to
    /// the next non-zero is larger, a filler zero is stored 2^indexBits positions on, as often as needed. Every entry
    /// costs <c>indexBits + valueBits</c>. Han et al. used 8 bits for convolutions and 5 bits for fully connected layers.
    /// </summary>
    /// <param name="weight">The (pruned) weight; its exact zeros are not stored.</param>
    /// <param name="indexBits">Bits per relative index (1…30).</param>
    /// <param name="valueBits">Bits per value (32 for fp32; fewer after quantization).</param>
    public static StorageSize RelativeIndex(Tensor weight, int indexBits, int valueBits = 32)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(indexBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(indexBits, 30);
        ArgumentOutOfRangeException.ThrowIfLessThan(valueBits, 1);
        ReferenceUse.Note(ReferenceUse.Storage);
        long[] positions;
        using (var scope = NewDisposeScope())
            positions = weight.detach().flatten().nonzero().flatten().cpu().data<long>().ToArray();
        var encoded = Compression.RelativeIndices.Encode(positions, indexBits);
        long entries = encoded.Count, fillers = encoded.LongCount(e => e.Filler);
        return new StorageSize(entries * (indexBits + valueBits), entries, fillers);
    }
}

using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>
/// A weight tensor stored as small integer codes: what a compressed model keeps on disk. Code 0 always means exactly
/// zero (a pruned weight, or one that rounded to zero); every other code stands for one value, from a scale
/// (linear quantization) or a codebook (k-means weight sharing). <see cref="Values"/> is what the network computes with.
/// </summary>
public sealed class QuantizedWeight : IDisposable
{
    /// <summary>Wraps codes and values (takes ownership of both tensors).</summary>
    /// <param name="codes">int64 codes, the weight's shape; 0 exactly where <paramref name="values"/> is zero.</param>
    /// <param name="values">The dequantized weight (float32).</param>
    /// <param name="levels">How many codes the scheme can use, zero included (the alphabet).</param>
    /// <param name="sideBits">Bits of what decoding needs besides the codes: fp32 scales or centroids.</param>
    /// <param name="scheme">How it was quantized, for tables, e.g. "k-means, 15 centroids".</param>
    public QuantizedWeight(Tensor codes, Tensor values, int levels, long sideBits, string scheme)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(sideBits);
        if (!codes.shape.SequenceEqual(values.shape))
            throw new ArgumentException($"Codes [{string.Join(",", codes.shape)}] and values [{string.Join(",", values.shape)}] must have the same shape.");
        Codes = codes.DetachFromDisposeScope();
        Values = values.DetachFromDisposeScope();
        (Levels, SideBits, Scheme) = (levels, sideBits, scheme);
    }

    /// <summary>int64 codes, the weight's shape; 0 means exactly zero.</summary>
    public Tensor Codes { get; }

    /// <summary>The weight the network computes with (float32).</summary>
    public Tensor Values { get; }

    /// <summary>The size of the code alphabet, zero included: a fixed-width code takes ⌈log2 Levels⌉ bits.</summary>
    public int Levels { get; }

    /// <summary>Bits of the scales or the codebook (fp32 each).</summary>
    public long SideBits { get; }

    /// <summary>How it was quantized.</summary>
    public string Scheme { get; }

    /// <summary>Bits of one fixed-width code: ⌈log2 <see cref="Levels"/>⌉.</summary>
    public int CodeBits => BitsFor(Levels);

    /// <summary>How many entries are not zero (the values a sparse format stores).</summary>
    public long NonZeros
    {
        get
        {
            using var scope = NewDisposeScope();
            return Codes.ne(0).sum().item<long>();
        }
    }

    /// <summary>⌈log2 <paramref name="levels"/>⌉, at least 1.</summary>
    public static int BitsFor(long levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        var bits = 1;
        while ((1L << bits) < levels) bits++;
        return bits;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Codes.Dispose();
        Values.Dispose();
    }
}

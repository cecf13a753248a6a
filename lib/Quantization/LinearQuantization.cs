using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>
/// Symmetric linear quantization: w ≈ scale · q with q an integer in [−(2^(b−1) − 1), 2^(b−1) − 1] and
/// scale = max|w| / (2^(b−1) − 1), one scale per tensor or per output channel (row). Zero maps to q = 0 exactly,
/// so a pruned weight stays pruned; a small survivor may round to zero, which prunes it.
/// </summary>
public static class LinearQuantization
{
    /// <summary>Quantizes <paramref name="weight"/> to <paramref name="bits"/> bits (2…16).</summary>
    /// <param name="weight">Any float tensor; per channel needs at least 2 dimensions (rows are output channels).</param>
    /// <param name="bits">Bits per code: 2^bits − 1 levels, zero included.</param>
    /// <param name="perChannel">One scale per row instead of one for the tensor.</param>
    /// <exception cref="ArgumentException">Fewer than 2 or more than 16 bits, NaN or infinite weights, per channel on a vector.</exception>
    public static QuantizedWeight Quantize(Tensor weight, int bits, bool perChannel = false)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (bits is < 2 or > 16)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Symmetric linear quantization needs 2 to 16 bits (2 bits give the levels −1, 0, +1).");
        if (perChannel && weight.dim() < 2)
            throw new ArgumentException($"Per-channel quantization needs a weight of 2 or more dimensions; this one is [{string.Join(",", weight.shape)}].", nameof(weight));
        ReferenceUse.Note(ReferenceUse.Quantize);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = weight.detach().to(float32);
        if (!w.isfinite().all().item<bool>())
            throw new ArgumentException("The weight contains NaN or infinite values; quantize a finite tensor.", nameof(weight));
        var qmax = (1 << (bits - 1)) - 1;
        var maxAbs = perChannel ? w.abs().flatten(1).amax([1L]).reshape(ScaleShape(w)) : w.abs().max();
        // An all-zero tensor (or channel) has no range: any positive scale keeps it zero.
        var scale = where(maxAbs.gt(0), maxAbs / qmax, ones_like(maxAbs));
        var q = (w / scale).round().clamp(-qmax, qmax);
        var values = (q * scale).contiguous();
        var scales = perChannel ? w.shape[0] : 1;
        return new QuantizedWeight(q.to(int64).contiguous(), values, 2 * qmax + 1, scales * 32L,
            $"linear {bits}-bit, per {(perChannel ? "channel" : "tensor")}");
    }

    private static long[] ScaleShape(Tensor w) => [w.shape[0], .. Enumerable.Repeat(1L, (int)w.dim() - 1)];
}

using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// N:M sparsity on tensors (lesson 03): masks that keep N of every M consecutive weights along the input dimension,
/// and a test of whether a mask follows the pattern. <see cref="Granularity.NOfM"/> uses the same grouping.
/// </summary>
public static class NMSparsity
{
    /// <summary>
    /// The N:M magnitude mask of a linear [out, in] or convolution [out, in, kh, kw] weight: in every group of M
    /// consecutive inputs the N largest |w| are kept (ties: the earlier input). The reference of exercise 3.2.
    /// </summary>
    /// <exception cref="ArgumentException">The weight is not 2-D or 4-D, or its inputs are not a multiple of M.</exception>
    public static Tensor Mask(Tensor weight, int n, int m)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var granularity = Granularity.NOfM(n, m);
        granularity.Validate("the weight", weight);
        ReferenceUse.Note(ReferenceUse.Granularity);
        using var scope = NewDisposeScope();
        var scores = granularity.GroupScores(weight.detach().abs());
        var prune = granularity.SelectOwn(scores, ones_like(scores, dtype: @bool))!;
        return granularity.Expand(prune.logical_not().to(float32), weight.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether <paramref name="mask"/> (or a pruned weight: zeros count as pruned) has at most N non-zeros in every group
    /// of M consecutive inputs: what N:M sparse hardware can run.
    /// </summary>
    public static bool Satisfies(Tensor mask, int n, int m)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (m < 2 || n < 1 || n >= m) throw new ArgumentOutOfRangeException(nameof(n), $"Need 0 < N < M; got {n}:{m}.");
        if (mask.dim() is not (2 or 4) || mask.shape[1] % m != 0) return false;
        using var scope = NewDisposeScope();
        return InputMajor(mask).reshape(-1, m).ne(0).sum(1).le(n).all().item<bool>();
    }

    // [out, in] stays; [out, in, kh, kw] → [out, kh, kw, in]: consecutive entries of the last dimension are inputs.
    internal static Tensor InputMajor(Tensor weight) => weight.dim() == 4 ? weight.permute(0, 2, 3, 1).contiguous() : weight.contiguous();

    internal static Tensor FromInputMajor(Tensor flat, long[] shape) => shape.Length == 4
        ? flat.reshape(shape[0], shape[2], shape[3], shape[1]).permute(0, 3, 1, 2).contiguous()
        : flat.reshape(shape);
}

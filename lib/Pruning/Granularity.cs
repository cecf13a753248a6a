using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// Which weights are pruned together: single weights (fine-grained), rows (a linear layer's output neurons, a
/// convolution's output channels), or kernels (one k×k kernel of a convolution). A granularity sums the per-weight
/// importance over each group and turns a decision per group back into a mask of the weight's shape.
/// </summary>
public abstract record Granularity
{
    /// <summary>Every weight on its own.</summary>
    public static Granularity FineGrained { get; } = new FineGrainedGranularity();
    /// <summary>Whole rows of dimension 0: output neurons of a linear layer, output channels (filters) of a convolution.</summary>
    public static Granularity Rows { get; } = new RowGranularity();
    /// <summary>Whole k×k kernels of a convolution (one per output/input channel pair).</summary>
    public static Granularity Kernels { get; } = new KernelGranularity();

    /// <summary>One score per group (importance summed over the group).</summary>
    public abstract Tensor GroupScores(Tensor importance);

    /// <summary>A 0/1 mask of <paramref name="shape"/> from a 0/1 mask over groups.</summary>
    public abstract Tensor Expand(Tensor groupMask, long[] shape);

    /// <summary>Checks that the weight can be grouped this way, naming the layer if not.</summary>
    public virtual void Validate(string name, Tensor weight) { }

    private sealed record FineGrainedGranularity : Granularity
    {
        public override Tensor GroupScores(Tensor importance) => importance.alias();
        public override Tensor Expand(Tensor groupMask, long[] shape) => groupMask.reshape(shape);
        public override string ToString() => "fine-grained";
    }

    private sealed record RowGranularity : Granularity
    {
        public override Tensor GroupScores(Tensor importance) => importance.reshape(importance.shape[0], -1).sum(1);
        public override Tensor Expand(Tensor groupMask, long[] shape) =>
            groupMask.reshape([shape[0], .. Enumerable.Repeat(1L, shape.Length - 1)]).expand(shape).contiguous();
        public override string ToString() => "rows (neurons / channels)";
    }

    private sealed record KernelGranularity : Granularity
    {
        public override void Validate(string name, Tensor weight)
        {
            if (weight.dim() != 4)
                throw new ArgumentException($"Kernel granularity needs a convolution weight [out, in, kh, kw]; '{name}' has shape [{string.Join(",", weight.shape)}].");
        }
        public override Tensor GroupScores(Tensor importance) => importance.sum([2L, 3L]);
        public override Tensor Expand(Tensor groupMask, long[] shape) =>
            groupMask.reshape(shape[0], shape[1], 1, 1).expand(shape).contiguous();
        public override string ToString() => "kernels";
    }
}

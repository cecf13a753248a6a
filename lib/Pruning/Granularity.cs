using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// Which weights are pruned together (lesson 03): single weights (fine-grained), rows (a linear layer's output
/// neurons, a convolution's filters), columns (input features or input channels), kernels (one k×k kernel of a
/// convolution), or N:M patterns. A granularity views a weight as [groups, weights per group], combines the
/// per-weight importance of each group into one score (<see cref="Aggregate"/>), and turns a decision per group back
/// into a mask of the weight's shape. Channels coupled across layers are pruned by <see cref="Structured.ChannelPruning"/>.
/// </summary>
public abstract record Granularity
{
    /// <summary>Every weight on its own.</summary>
    public static Granularity FineGrained { get; } = new FineGrainedGranularity();
    /// <summary>Whole rows of dimension 0: output neurons of a linear layer, output channels (filters) of a convolution.</summary>
    public static Granularity Rows { get; } = new RowGranularity();
    /// <summary>
    /// Whole slices of dimension 1: input features of a linear layer, input channels of a convolution (the groups of
    /// <c>torch.nn.utils.prune.ln_structured(dim=1)</c>).
    /// </summary>
    public static Granularity Columns { get; } = new ColumnGranularity();
    /// <summary>Whole k×k kernels of a convolution (one per output/input channel pair).</summary>
    public static Granularity Kernels { get; } = new KernelGranularity();

    /// <summary>
    /// N:M sparsity: of every M consecutive weights along the input dimension (a row of a linear layer; the input
    /// channels at one kernel position of a convolution) exactly M − N are pruned, the lowest-scoring ones. 2:4 is the
    /// pattern NVIDIA's Ampere sparse tensor cores run. It decides per group of M, not by a ranking of the whole
    /// layer, so it prunes exactly 1 − N/M of every layer it touches.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 &lt; N &lt; M.</exception>
    public static Granularity NOfM(int n, int m) => new NOfMGranularity(n, m);

    /// <summary>How a group's per-weight scores become one score: a sum by default.</summary>
    public Aggregate Aggregate { get; init; } = Aggregate.Sum;

    /// <summary>This granularity with another aggregate, e.g. <c>Granularity.Rows.By(Aggregate.Mean)</c>.</summary>
    public Granularity By(Aggregate aggregate) => this with { Aggregate = aggregate ?? throw new ArgumentNullException(nameof(aggregate)) };

    /// <summary>One score per group, in group order.</summary>
    public Tensor GroupScores(Tensor importance)
    {
        ArgumentNullException.ThrowIfNull(importance);
        Exercises.ReferenceUse.Note(Exercises.ReferenceUse.Granularity);
        return Aggregate.Reduce(Grouped(importance));
    }

    /// <summary>The weight (or its scores) as [groups, weights per group].</summary>
    public abstract Tensor Grouped(Tensor weight);

    /// <summary>A 0/1 mask of <paramref name="shape"/> from a 0/1 mask over groups.</summary>
    public abstract Tensor Expand(Tensor groupMask, long[] shape);

    /// <summary>Checks that the weight can be grouped this way, naming the layer if not.</summary>
    public virtual void Validate(string name, Tensor weight) { }

    /// <summary>
    /// For a granularity that decides by itself how much to prune (N:M), the fraction of each layer it prunes; null for
    /// the others, whose amount comes from the <see cref="Scope"/>.
    /// </summary>
    public virtual double? FixedFraction => null;

    /// <summary>
    /// For a granularity that owns its selection (N:M): the groups to prune, given each group's score and whether it is
    /// alive. The others return null and let the scope rank the groups.
    /// </summary>
    public virtual Tensor? SelectOwn(Tensor scores, Tensor alive) => null;

    private sealed record FineGrainedGranularity : Granularity
    {
        public override Tensor Grouped(Tensor weight) => weight.reshape(-1, 1);
        public override Tensor Expand(Tensor groupMask, long[] shape) => groupMask.reshape(shape);
        public override string ToString() => "fine-grained";
    }

    private sealed record RowGranularity : Granularity
    {
        public override Tensor Grouped(Tensor weight) => weight.reshape(weight.shape[0], -1);
        public override Tensor Expand(Tensor groupMask, long[] shape) =>
            groupMask.reshape([shape[0], .. Enumerable.Repeat(1L, shape.Length - 1)]).expand(shape).contiguous();
        public override string ToString() => "rows (neurons / filters)";
    }

    private sealed record ColumnGranularity : Granularity
    {
        public override Tensor Grouped(Tensor weight) => weight.transpose(0, 1).reshape(weight.shape[1], -1);
        public override Tensor Expand(Tensor groupMask, long[] shape) =>
            groupMask.reshape([1, shape[1], .. Enumerable.Repeat(1L, shape.Length - 2)]).expand(shape).contiguous();
        public override string ToString() => "columns (inputs / input channels)";
    }

    private sealed record KernelGranularity : Granularity
    {
        public override void Validate(string name, Tensor weight)
        {
            if (weight.dim() != 4)
                throw new ArgumentException($"Kernel granularity needs a convolution weight [out, in, kh, kw]; '{name}' has shape [{string.Join(",", weight.shape)}].");
        }
        public override Tensor Grouped(Tensor weight) => weight.reshape(weight.shape[0] * weight.shape[1], -1);
        public override Tensor Expand(Tensor groupMask, long[] shape) =>
            groupMask.reshape(shape[0], shape[1], 1, 1).expand(shape).contiguous();
        public override string ToString() => "kernels";
    }

    // Groups are M consecutive inputs: [out, in] → [out·in/M, M]; a convolution [out, in, kh, kw] is first viewed as
    // [out, kh, kw, in] so that a group runs along the input channels at one kernel position.
    private sealed record NOfMGranularity : Granularity
    {
        public NOfMGranularity(int n, int m)
        {
            if (m < 2 || n < 1 || n >= m)
                throw new ArgumentOutOfRangeException(nameof(n), $"N:M sparsity keeps N of every M weights, with 0 < N < M (2:4 keeps 2 of 4); got {n}:{m}.");
            N = n;
            M = m;
        }
        public int N { get; }
        public int M { get; }
        public override double? FixedFraction => 1 - N / (double)M;

        public override void Validate(string name, Tensor weight)
        {
            if (weight.dim() is not (2 or 4))
                throw new ArgumentException($"{N}:{M} sparsity needs a linear [out, in] or convolution [out, in, kh, kw] weight; '{name}' has shape [{string.Join(",", weight.shape)}].");
            if (weight.shape[1] % M != 0)
                throw new ArgumentException($"{N}:{M} sparsity groups {M} consecutive inputs, but '{name}' has {weight.shape[1]} inputs (not a multiple of {M}). " +
                                            "Exclude this layer (usually the first convolution) or choose an M that divides its inputs.");
        }

        public override Tensor Grouped(Tensor weight) => NMSparsity.InputMajor(weight).reshape(-1, 1);
        public override Tensor Expand(Tensor groupMask, long[] shape) => NMSparsity.FromInputMajor(groupMask.reshape(-1), shape);

        // Every weight is its own group (so the masks' alive counts stay per weight); the selection looks at rows of M.
        public override Tensor? SelectOwn(Tensor scores, Tensor alive)
        {
            var ranked = where(alive, scores, full_like(scores, double.NegativeInfinity)).reshape(-1, M);
            // Keep the N highest alive scores of each row of M (ties: the earlier position), prune the rest.
            var (_, order) = ranked.neg().sort(dim: 1, stable: true);
            var keep = zeros_like(ranked, dtype: @bool).scatter_(1, order.narrow(1, 0, N), ones(ranked.shape[0], N, dtype: @bool));
            return keep.logical_not().reshape(-1);
        }

        public override string ToString() => $"{N}:{M}";
    }
}

/// <summary>
/// How a group's per-weight scores combine into the group's score. For global ranking across layers, the sum favours
/// groups with more weights (a row of a 784-input layer sums 784 scores, a row of a 100-input layer 100); the mean and
/// the Lp norm divided by the group size remove that advantage (see <see cref="Scope.Global"/>).
/// </summary>
public abstract record Aggregate
{
    /// <summary>The sum of the scores (with |w| scores: the group's L1 norm).</summary>
    public static Aggregate Sum { get; } = new SumAggregate();
    /// <summary>The mean of the scores: the sum divided by the group's size.</summary>
    public static Aggregate Mean { get; } = new MeanAggregate();
    /// <summary>(Σ sᵖ)^(1/p): with |w| scores, the group's Lp norm (p = 2: L2).</summary>
    public static Aggregate Norm(double p) => p > 0 && double.IsFinite(p)
        ? new NormAggregate(p)
        : throw new ArgumentOutOfRangeException(nameof(p), p, "A norm's p must be a positive, finite number (1 for L1, 2 for L2).");

    /// <summary>[groups, weights per group] → [groups], in float64.</summary>
    public abstract Tensor Reduce(Tensor grouped);

    private sealed record SumAggregate : Aggregate
    {
        public override Tensor Reduce(Tensor grouped) => grouped.to(float64).sum(1);
        public override string ToString() => "sum";
    }
    private sealed record MeanAggregate : Aggregate
    {
        public override Tensor Reduce(Tensor grouped) => grouped.to(float64).mean([1L]);
        public override string ToString() => "mean";
    }
    private sealed record NormAggregate(double P) : Aggregate
    {
        public override Tensor Reduce(Tensor grouped) => grouped.to(float64).abs().pow(P).sum(1).pow(1 / P);
        public override string ToString() => $"L{P} norm";
    }
}

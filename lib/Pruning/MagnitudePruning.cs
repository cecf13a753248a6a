using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// Fine-grained magnitude pruning, the first method of the course (lesson 00): the weights of smallest absolute
/// value are set to zero, on the heuristic that they contribute least to the output (Han et al., 2015).
/// </summary>
/// <remarks>
/// Amounts follow <c>torch.nn.utils.prune</c>: a fraction p prunes <c>round(p·n)</c> of n weights. Ties are broken
/// by position (the earlier entry of the flattened tensor is pruned first), so results are deterministic.
/// Only weight tensors of two or more dimensions (linear and convolution weights) are pruned; biases and
/// BatchNorm parameters are left alone. At fine grain every Lp norm gives the same ranking (|w|^p is monotone in |w|).
/// </remarks>
public static class MagnitudePruning
{
    /// <summary>
    /// Returns a copy of <paramref name="weights"/> with its <c>round(fraction·n)</c> smallest-magnitude entries set to
    /// zero. The reference of exercise 0.1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1] or not a number.</exception>
    /// <exception cref="ArgumentException">A weight is NaN or infinite.</exception>
    public static Tensor PruneTensor(Tensor weights, double fraction)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = NewDisposeScope();
        return (weights.detach() * Mask(weights, fraction).to(weights.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The fine-grained magnitude mask of one tensor: 0 for the <c>round(sparsity·n)</c> smallest |w|, 1 elsewhere
    /// (float32, same shape).
    /// </summary>
    public static Tensor Mask(Tensor weights, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = NewDisposeScope();
        return PruneSurvivors(weights, ones_like(weights, dtype: float32), sparsity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One step of iterative pruning on one tensor: prunes <c>round(fraction·alive)</c> of the weights still alive
    /// in <paramref name="mask"/> (smallest |w| first) and returns the combined mask; pruned entries stay pruned.
    /// The reference of exercise 2.2.
    /// </summary>
    public static Tensor PruneSurvivors(Tensor weights, Tensor mask, double fraction)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(mask);
        if (!weights.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"The mask has shape [{string.Join(",", mask.shape)}] but the weights have [{string.Join(",", weights.shape)}].", nameof(mask));
        using var scope = NewDisposeScope();
        ThrowIfNotFinite(weights, "the tensor");
        var alive = mask.flatten().gt(0);
        var count = Amount.Of(fraction).CountFor(alive.sum().item<long>(), "the tensor");
        var prune = Selection.Lowest(weights.detach().abs().flatten().to(float64), alive, count);
        return (mask.flatten().to(float32) * prune.logical_not().to(float32)).reshape(weights.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Global magnitude masks for several tensors: one ranking of every |w| across all of them, so one threshold, and
    /// <c>round(sparsity·N)</c> of the N weights pruned in all (ties: the earlier tensor, then the earlier entry).
    /// Each tensor loses a different share. The reference of exercise 1.2.
    /// </summary>
    /// <returns>A float32 0/1 mask per tensor, by the same names.</returns>
    public static Dictionary<string, Tensor> GlobalMasks(IReadOnlyDictionary<string, Tensor> weights, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) throw new ArgumentException("Give at least one tensor.", nameof(weights));
        using var scope = NewDisposeScope();
        foreach (var (name, w) in weights) ThrowIfNotFinite(w, $"'{name}'");
        var all = cat(weights.Values.Select(w => w.detach().abs().flatten().to(float64)).ToList());
        var alive = ones(all.shape[0], dtype: @bool);
        var prune = Selection.Lowest(all, alive, Amount.Of(sparsity).CountFor(all.shape[0], "the tensors"));
        var result = new Dictionary<string, Tensor>();
        long offset = 0;
        foreach (var (name, w) in weights)
        {
            result[name] = prune.narrow(0, offset, w.numel()).logical_not().to(float32).reshape(w.shape).MoveToOuterDisposeScope();
            offset += w.numel();
        }
        return result;
    }

    /// <summary>
    /// Prunes the model globally: one magnitude ranking across all its weight tensors, so layers with many small
    /// weights lose more of them. Changes the weights in place (permanently) and returns the resulting sparsity.
    /// A shortcut for <see cref="ModelMasks"/> with <see cref="Scope.Global"/> and <see cref="Importance.Magnitude"/>.
    /// </summary>
    public static SparsityReport PruneGlobal(nn.Module model, double fraction)
    {
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Global(fraction));
        masks.Remove();
        return SparsityReport.Of(model);
    }

    /// <summary>The weight tensors that magnitude pruning acts on, by parameter name, in model order.</summary>
    public static List<(string Name, Tensor Weight)> PrunableWeights(nn.Module model) =>
        LayerNames.Prunable(model).Select(p => (p.Key, (Tensor)p.Value)).ToList();

    /// <summary>
    /// The values of the prunable weights (all layers, or the named one) as a plain array: input for histograms.
    /// </summary>
    public static float[] WeightValues(nn.Module model, string? layer = null)
    {
        var weights = PrunableWeights(model).Where(l => layer is null || l.Name == layer || l.Name == layer + ".weight").ToList();
        if (weights.Count == 0) throw new ArgumentException($"No prunable weight named '{layer}' in {model.GetName()}; choose one of: {string.Join(", ", PrunableWeights(model).Select(l => l.Name))}.", nameof(layer));
        using var scope = NewDisposeScope();
        return weights.SelectMany(l => l.Weight.detach().cpu().to(float32).flatten().data<float>().ToArray()).ToArray();
    }

    private static void ThrowIfNotFinite(Tensor weights, string what)
    {
        using var scope = NewDisposeScope();
        if (!weights.isfinite().all().item<bool>())
            throw new ArgumentException($"{char.ToUpperInvariant(what[0])}{what[1..]} holds NaN or infinite weights; a magnitude ranking of them means nothing. Check where they came from.");
    }
}

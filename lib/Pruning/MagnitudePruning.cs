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
/// BatchNorm parameters are left alone.
/// </remarks>
public static class MagnitudePruning
{
    /// <summary>
    /// Returns a copy of <paramref name="weights"/> with its <c>round(fraction·n)</c> smallest-magnitude entries set to zero.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1] or not a number.</exception>
    public static Tensor PruneTensor(Tensor weights, double fraction)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var count = CountToPrune(weights.numel(), fraction);
        using var scope = NewDisposeScope();
        var flat = weights.detach().flatten().clone();
        if (count > 0)
        {
            var (_, order) = flat.abs().sort(descending: false, stable: true);
            flat.index_put_(zeros(1, flat.dtype), order.narrow(0, 0, count));
        }
        return flat.reshape(weights.shape).MoveToOuterDisposeScope();
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
        model.named_parameters().Where(p => p.parameter.dim() >= 2).Select(p => (p.name, (Tensor)p.parameter)).ToList();

    /// <summary>How many of <paramref name="total"/> weights a fraction prunes: <c>round(fraction·total)</c>, halves to even.</summary>
    public static long CountToPrune(long total, double fraction)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"The fraction to prune must be in [0, 1] (for example 0.5 prunes half); got {fraction}.");
        return (long)Math.Round(fraction * total, MidpointRounding.ToEven);
    }

    /// <summary>
    /// The values of the prunable weights (all layers, or the named one) as a plain array: input for histograms.
    /// </summary>
    public static float[] WeightValues(nn.Module model, string? layer = null)
    {
        var weights = PrunableWeights(model).Where(l => layer is null || l.Name == layer || l.Name == layer + ".weight").ToList();
        if (weights.Count == 0) throw new ArgumentException($"No prunable weight named '{layer}' in {model.GetName()}; choose one of: {string.Join(", ", PrunableWeights(model).Select(l => l.Name))}.", nameof(layer));
        return weights.SelectMany(l => l.Weight.detach().cpu().to(float32).flatten().data<float>().ToArray()).ToArray();
    }
}

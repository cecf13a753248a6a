namespace PruningLab.Pruning;

/// <summary>
/// Where an amount applies: to each layer separately (layer-wise, with one amount per layer) or to all layers
/// together (global: one ranking and so one threshold across layers, so layers lose different fractions).
/// </summary>
/// <remarks>The set of scopes is closed (no constructor is visible outside the library): <see cref="ModelMasks.Prune"/> knows each one.</remarks>
public abstract class Scope
{
    private protected Scope() { }

    /// <summary>The same amount in every layer.</summary>
    public static Scope Uniform(Amount amount) => new LayerWiseScope(null, amount);

    /// <summary>An amount per layer (by parameter or module name: <c>fc1</c> or <c>fc1.weight</c>); unnamed layers are left alone.</summary>
    public static Scope LayerWise(IReadOnlyDictionary<string, double> fractions)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        return new LayerWiseScope(fractions.ToDictionary(p => p.Key, p => Amount.Of(p.Value)), default);
    }

    /// <summary>One ranking across all masked layers.</summary>
    /// <param name="amount">How much of everything still alive.</param>
    /// <param name="maxPerLayer">
    /// The largest fraction of any layer's groups (weights, rows, kernels) that may end up pruned: a cap below 1 keeps a
    /// global ranking from emptying a layer whose scores all happen to be small.
    /// </param>
    /// <param name="normalizeLayers">
    /// Divide each layer's group scores by their mean over the layer's alive groups before ranking. Layers differ in
    /// fan-in and in the scale of their weights: summed over a row, a 784-input layer's scores dwarf a 100-input layer's,
    /// so an unnormalised global ranking of rows prunes the small layers first. Normalised, every layer's average group
    /// scores 1 and groups compete by how they compare with their own layer (Torch-Pruning's "mean" normaliser).
    /// </param>
    public static Scope Global(Amount amount, double maxPerLayer = 1.0, bool normalizeLayers = false)
    {
        if (double.IsNaN(maxPerLayer) || maxPerLayer <= 0 || maxPerLayer > 1)
            throw new ArgumentOutOfRangeException(nameof(maxPerLayer), maxPerLayer, "The per-layer cap is a fraction in (0, 1]: 0.9 lets global pruning take at most 90 % of any layer.");
        return new GlobalScope(amount, maxPerLayer, normalizeLayers);
    }

    internal sealed class LayerWiseScope(IReadOnlyDictionary<string, Amount>? perLayer, Amount @default) : Scope
    {
        public IReadOnlyDictionary<string, Amount>? PerLayer { get; } = perLayer;
        public Amount Default { get; } = @default;
        public override string ToString() => PerLayer is null ? $"layer-wise {Default}" : "layer-wise " + string.Join(", ", PerLayer.Select(p => $"{p.Key} {p.Value}"));
    }

    internal sealed class GlobalScope(Amount amount, double maxPerLayer, bool normalizeLayers) : Scope
    {
        public Amount Amount { get; } = amount;
        public double MaxPerLayer { get; } = maxPerLayer;
        public bool NormalizeLayers { get; } = normalizeLayers;
        public override string ToString() => $"global {Amount}" + (MaxPerLayer < 1 ? $", at most {MaxPerLayer:P0} of a layer" : "") + (NormalizeLayers ? ", layer-normalised" : "");
    }
}

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
    public static Scope Global(Amount amount) => new GlobalScope(amount);

    internal sealed class LayerWiseScope(IReadOnlyDictionary<string, Amount>? perLayer, Amount @default) : Scope
    {
        public IReadOnlyDictionary<string, Amount>? PerLayer { get; } = perLayer;
        public Amount Default { get; } = @default;
        public override string ToString() => PerLayer is null ? $"layer-wise {Default}" : "layer-wise " + string.Join(", ", PerLayer.Select(p => $"{p.Key} {p.Value}"));
    }

    internal sealed class GlobalScope(Amount amount) : Scope
    {
        public Amount Amount { get; } = amount;
        public override string ToString() => $"global {Amount}";
    }
}

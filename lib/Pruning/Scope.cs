namespace PruningLab.Pruning;

/// <summary>
/// Where an amount applies: to each layer separately (layer-wise, with one amount per layer) or to all layers
/// together (global: one ranking and so one threshold across layers, so layers lose different fractions).
/// </summary>
public abstract record Scope
{
    /// <summary>The same amount in every layer.</summary>
    public static Scope Uniform(Amount amount) => new LayerWiseScope(null, amount);

    /// <summary>An amount per layer (by parameter or module name: <c>fc1</c> or <c>fc1.weight</c>); unnamed layers are left alone.</summary>
    public static Scope LayerWise(IReadOnlyDictionary<string, double> fractions) =>
        new LayerWiseScope(fractions.ToDictionary(p => p.Key, p => Amount.Of(p.Value)), default);

    /// <summary>One ranking across all masked layers.</summary>
    public static Scope Global(Amount amount) => new GlobalScope(amount);

    internal sealed record LayerWiseScope(IReadOnlyDictionary<string, Amount>? PerLayer, Amount Default) : Scope
    {
        public override string ToString() => PerLayer is null ? $"layer-wise {Default}" : "layer-wise " + string.Join(", ", PerLayer.Select(p => $"{p.Key} {p.Value}"));
    }

    internal sealed record GlobalScope(Amount Amount) : Scope
    {
        public override string ToString() => $"global {Amount}";
    }
}

using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>Zeros and totals of one weight tensor.</summary>
/// <param name="Name">Parameter name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Total">Number of weights.</param>
/// <param name="Zeros">Number of weights exactly equal to zero.</param>
public sealed record LayerSparsity(string Name, long Total, long Zeros)
{
    /// <summary>Fraction of the weights that are zero (0…1).</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;
    /// <summary>Weights that are not zero: in a fully connected layer, the multiply-accumulates left per input.</summary>
    public long NonZeros => Total - Zeros;
}

/// <summary>Sparsity of every prunable weight tensor of a model, and overall.</summary>
/// <param name="Layers">One entry per weight tensor of two or more dimensions.</param>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>All prunable weights.</summary>
    public long Total => Layers.Sum(l => l.Total);
    /// <summary>All zero weights.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);
    /// <summary>Fraction of all prunable weights that are zero.</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;

    /// <summary>Measures <paramref name="model"/>.</summary>
    public static SparsityReport Of(nn.Module model) =>
        new(MagnitudePruning.PrunableWeights(model)
            .Select(l => new LayerSparsity(l.Name, l.Weight.numel(), l.Weight.numel() - l.Weight.count_nonzero().item<long>()))
            .ToList());

    /// <summary>A table, one line per layer.</summary>
    public override string ToString() =>
        string.Join("\n", Layers.Select(l => $"{l.Name,-16} {l.Total,9:N0} weights  {l.Zeros,9:N0} zero  {l.Sparsity,7:P1}"))
        + $"\n{"total",-16} {Total,9:N0} weights  {Zeros,9:N0} zero  {Sparsity,7:P1}";
}

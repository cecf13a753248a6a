using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>Zeros, multiply-accumulates and storage of one weight tensor.</summary>
/// <param name="Name">Parameter name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Shape">The weight's shape.</param>
/// <param name="Zeros">Number of pruned (zero) weights.</param>
/// <param name="OutputPositions">How often each weight is used per image: 1 for a linear layer, H×W of the output for a convolution.</param>
public sealed record LayerSparsity(string Name, long[] Shape, long Zeros, long OutputPositions = 1)
{
    /// <summary>Number of weights.</summary>
    public long Total => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>Fraction of the weights that are zero (0…1).</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;
    /// <summary>Weights that are not zero.</summary>
    public long NonZeros => Total - Zeros;
    /// <summary>Multiply-accumulates per image of the dense layer.</summary>
    public long DenseMacs => Total * OutputPositions;
    /// <summary>Multiply-accumulates per image that touch a non-zero weight (what sparse hardware must do).</summary>
    public long SparseMacs => NonZeros * OutputPositions;
    /// <summary>Rows of the weight seen as a matrix (output features or channels).</summary>
    public long Rows => Shape[0];
    /// <summary>Storage as dense fp32: 4 bytes per weight.</summary>
    public long DenseBytes => 4 * Total;
    /// <summary>
    /// Storage in CSR (compressed sparse row) of the weight as a [rows × rest] matrix: fp32 values and int32 column
    /// indices for the non-zeros, plus rows + 1 int32 row pointers.
    /// </summary>
    public long CsrBytes => 4 * NonZeros + 4 * NonZeros + 4 * (Rows + 1);
    /// <summary>Storage as a bitmask (one bit per weight, rounded up to bytes) plus the fp32 non-zero values.</summary>
    public long BitmaskBytes => (Total + 7) / 8 + 4 * NonZeros;
}

/// <summary>Sparsity, MACs and storage of every prunable weight tensor of a model, and overall.</summary>
/// <param name="Layers">One entry per weight tensor of two or more dimensions.</param>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>All prunable weights.</summary>
    public long Total => Layers.Sum(l => l.Total);
    /// <summary>All zero weights.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);
    /// <summary>Fraction of all prunable weights that are zero.</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;
    /// <summary>Dense multiply-accumulates per image.</summary>
    public long DenseMacs => Layers.Sum(l => l.DenseMacs);
    /// <summary>Multiply-accumulates per image that touch non-zero weights.</summary>
    public long SparseMacs => Layers.Sum(l => l.SparseMacs);
    /// <summary>Dense fp32 bytes of all prunable weights.</summary>
    public long DenseBytes => Layers.Sum(l => l.DenseBytes);
    /// <summary>CSR bytes of all prunable weights.</summary>
    public long CsrBytes => Layers.Sum(l => l.CsrBytes);
    /// <summary>Bitmask + values bytes of all prunable weights.</summary>
    public long BitmaskBytes => Layers.Sum(l => l.BitmaskBytes);

    /// <summary>
    /// Measures <paramref name="model"/>: zeros from <paramref name="masks"/> where given, else the weights' own zeros;
    /// output positions of convolutions from one forward pass of a zero input of <paramref name="inputShape"/>
    /// (default one 28×28 image).
    /// </summary>
    public static SparsityReport Of(nn.Module model, long[]? inputShape = null, IReadOnlyDictionary<string, Tensor>? masks = null)
    {
        var positions = ConvolutionPositions(model, inputShape ?? [1, 1, 28, 28]);
        return new(MagnitudePruning.PrunableWeights(model).Select(l =>
        {
            var zeros = masks is not null && masks.TryGetValue(l.Name, out var mask)
                ? mask.numel() - mask.count_nonzero().item<long>()
                : l.Weight.numel() - l.Weight.count_nonzero().item<long>();
            return new LayerSparsity(l.Name, l.Weight.shape, zeros, positions.GetValueOrDefault(l.Name, 1));
        }).ToList());
    }

    // Output H×W of every convolution, by its weight's parameter name, measured with forward hooks.
    private static Dictionary<string, long> ConvolutionPositions(nn.Module model, long[] inputShape)
    {
        var convolutions = model.named_modules().Where(m => m.module is Conv2d).ToList();
        var result = new Dictionary<string, long>();
        if (convolutions.Count == 0 || model is not nn.Module<Tensor, Tensor> network) return result;
        var handles = convolutions.Select(c => ((Conv2d)c.module).register_forward_hook((_, _, output) =>
        {
            result[c.name + ".weight"] = output.shape[2] * output.shape[3];
            return output;
        })).ToList();
        var wasTraining = network.training;
        try
        {
            network.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            network.forward(zeros(inputShape));
        }
        finally
        {
            foreach (var handle in handles) handle.remove();
            network.train(wasTraining);
        }
        return result;
    }

    /// <summary>A table, one line per layer.</summary>
    public override string ToString() =>
        string.Join("\n", Layers.Select(l => $"{l.Name,-20} {l.Total,9:N0} weights  {l.Zeros,9:N0} zero  {l.Sparsity,7:P1}"))
        + $"\n{"total",-20} {Total,9:N0} weights  {Zeros,9:N0} zero  {Sparsity,7:P1}";
}

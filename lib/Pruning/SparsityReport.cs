using PruningLab.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>Zeros, multiply-accumulates and storage of one weight tensor.</summary>
/// <param name="Name">Parameter name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Shape">The weight's shape.</param>
/// <param name="Zeros">Number of pruned (zero) weights.</param>
/// <param name="OutputPositions">How often each weight is used per input: 1 for a linear layer, H×W of the output for a convolution.</param>
/// <param name="Masked">Whether the layer has a mask (false for a layer excluded from pruning).</param>
public sealed record LayerSparsity(string Name, long[] Shape, long Zeros, long OutputPositions = 1, bool Masked = true)
{
    /// <summary>Number of weights.</summary>
    public long Total => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>Fraction of the weights that are zero (0…1).</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;
    /// <summary>Weights that are not zero.</summary>
    public long NonZeros => Total - Zeros;
    /// <summary>Multiply-accumulates per input of the dense layer: what a dense CPU or GPU kernel does, zeros or not.</summary>
    public long DenseMacs => Total * OutputPositions;
    /// <summary>
    /// Multiply-accumulates per input that touch a non-zero weight: what sparse hardware or a sparse kernel could
    /// skip to. Dense kernels do not: they multiply the zeros too.
    /// </summary>
    public long SparseMacs => NonZeros * OutputPositions;
    /// <summary>Rows of the weight seen as a matrix (output features or channels).</summary>
    public long Rows => Shape[0];
    /// <summary>Storage as dense fp32 (<see cref="SparseStorage.Dense"/>), in bytes.</summary>
    public long DenseBytes => SparseStorage.Dense(Total).Bytes;
    /// <summary>Storage in CSR with fp32 values and int32 indices (<see cref="SparseStorage.Csr"/>), in bytes.</summary>
    public long CsrBytes => SparseStorage.Csr(Rows, NonZeros).Bytes;
    /// <summary>Storage as a bitmask plus the fp32 non-zero values (<see cref="SparseStorage.Bitmask"/>), in bytes.</summary>
    public long BitmaskBytes => SparseStorage.Bitmask(Total, NonZeros).Bytes;
}

/// <summary>Sparsity, MACs and storage of every prunable weight tensor of a model, and overall.</summary>
/// <param name="Layers">One entry per weight tensor of two or more dimensions.</param>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>All prunable weights.</summary>
    public long Total => Layers.Sum(l => l.Total);
    /// <summary>All zero weights.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);
    /// <summary>Fraction of all prunable weights that are zero (excluded layers count, with their own zeros).</summary>
    public double Sparsity => Total == 0 ? 0 : Zeros / (double)Total;
    /// <summary>Fraction of the masked layers' weights that are pruned (what <see cref="ModelMasks.PruneTo"/> aims at).</summary>
    public double MaskedSparsity => Layers.Where(l => l.Masked).Sum(l => l.Total) is var total and > 0
        ? Layers.Where(l => l.Masked).Sum(l => l.Zeros) / (double)total : 0;
    /// <summary>Dense multiply-accumulates per input.</summary>
    public long DenseMacs => Layers.Sum(l => l.DenseMacs);
    /// <summary>Multiply-accumulates per input that touch non-zero weights.</summary>
    public long SparseMacs => Layers.Sum(l => l.SparseMacs);
    /// <summary>Dense fp32 bytes of all prunable weights.</summary>
    public long DenseBytes => Layers.Sum(l => l.DenseBytes);
    /// <summary>CSR bytes of all prunable weights.</summary>
    public long CsrBytes => Layers.Sum(l => l.CsrBytes);
    /// <summary>Bitmask + values bytes of all prunable weights.</summary>
    public long BitmaskBytes => Layers.Sum(l => l.BitmaskBytes);

    /// <summary>
    /// Measures <paramref name="model"/>: zeros from <paramref name="masks"/> where given, else the weights' own zeros.
    /// The output positions of convolutions come from one forward pass of a zero input of <paramref name="inputShape"/>
    /// (one input, without the batch dimension, e.g. [1, 28, 28]), or of the shape the model states
    /// (<see cref="ICourseModel"/>); a model without convolutions needs neither.
    /// </summary>
    /// <exception cref="ArgumentException">The model has convolutions and no input shape is known.</exception>
    public static SparsityReport Of(nn.Module model, long[]? inputShape = null, IReadOnlyDictionary<string, Tensor>? masks = null) =>
        Build(model, OutputPositions(model, inputShape), masks);

    internal static SparsityReport Build(nn.Module model, IReadOnlyDictionary<string, long> positions, IReadOnlyDictionary<string, Tensor>? masks)
    {
        using var scope = NewDisposeScope();
        return new(LayerNames.Prunable(model).Select(p =>
        {
            var masked = masks is not null && masks.ContainsKey(p.Key);
            var counted = masked ? masks![p.Key] : p.Value;
            var zeros = counted.numel() - counted.count_nonzero().item<long>();
            return new LayerSparsity(p.Key, p.Value.shape, zeros, positions.GetValueOrDefault(p.Key, 1), masks is null || masked);
        }).ToList());
    }

    // Output H×W of every convolution, by its weight's parameter name, measured with forward hooks on one zero input.
    internal static Dictionary<string, long> OutputPositions(nn.Module model, long[]? inputShape)
    {
        var convolutions = model.named_modules().Where(m => m.module is Conv2d).ToList();
        var result = new Dictionary<string, long>();
        if (convolutions.Count == 0) return result;
        inputShape ??= (model as ICourseModel)?.InputShape
            ?? throw new ArgumentException($"{model.GetName()} has convolutions: pass the shape of one input (e.g. [1, 28, 28]) to count their multiply-accumulates.", nameof(inputShape));
        if (model is not nn.Module<Tensor, Tensor> network)
            throw new ArgumentException($"{model.GetName()} does not map a tensor to a tensor; its convolutions' output sizes cannot be measured.", nameof(model));
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
            network.call(zeros([1, .. inputShape]));
        }
        finally
        {
            foreach (var handle in handles) handle.remove();
            network.train(wasTraining);
        }
        var silent = convolutions.Select(c => c.name + ".weight").Where(n => !result.ContainsKey(n)).ToList();
        if (silent.Count > 0)
            throw new InvalidOperationException($"{model.GetName()}'s forward pass did not run the forward hooks of {string.Join(", ", silent)}: " +
                "it must call its submodules with call(x), not forward(x).");
        return result;
    }

    /// <summary>A table, one line per layer.</summary>
    public override string ToString() =>
        string.Join("\n", Layers.Select(l => $"{l.Name,-12} {l.Total,9:N0} weights  {l.Zeros,9:N0} zero  {l.Sparsity,7:P1}{(l.Masked ? "" : "  (excluded)")}"))
        + $"\n{"total",-12} {Total,9:N0} weights  {Zeros,9:N0} zero  {Sparsity,7:P1}";
}

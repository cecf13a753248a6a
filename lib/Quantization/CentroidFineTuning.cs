using PruningLab.Pruning;
using PruningLab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>
/// Fine-tunes the centroids of shared weights (Deep Compression, section 3.3): before each optimiser step, every
/// weight's gradient is replaced by the sum of the gradients of all the weights that share its centroid, so all of
/// them take the same step and stay equal — the centroid moves by the learning rate times that sum. Weights with
/// code 0 get no gradient, so nothing pruned comes back. After each step the weights are snapped to their cluster's
/// mean, which removes any rounding drift. Works with any element-wise optimiser (SGD with momentum, Adam).
/// </summary>
public sealed class CentroidFineTuning : ITrainingHook, IDisposable
{
    private readonly Dictionary<string, (Parameter Weight, Tensor Codes, int Levels, Tensor Counts)> layers = [];

    /// <summary>Holds the codes of <paramref name="shared"/> (by parameter name) for the matching weights of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">A name that is not a prunable weight, or codes of another shape.</exception>
    public CentroidFineTuning(nn.Module model, IReadOnlyDictionary<string, QuantizedWeight> shared)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shared);
        var weights = LayerNames.Prunable(model);
        foreach (var (name, q) in shared)
        {
            var key = LayerNames.Resolve(weights.Keys, name)
                ?? throw new ArgumentException($"'{name}' is not a prunable weight of the model. Weights: {string.Join(", ", weights.Keys)}.", nameof(shared));
            var weight = weights[key];
            if (!q.Codes.shape.SequenceEqual(weight.shape))
                throw new ArgumentException($"The codes of '{key}' are [{string.Join(",", q.Codes.shape)}]; the weight is [{string.Join(",", weight.shape)}].", nameof(shared));
            var codes = q.Codes.to(weight.device).flatten().clone().DetachFromDisposeScope();
            // The codes never change, so neither do the cluster sizes: counted once, not at every step.
            layers[key] = (weight, codes, q.Levels, WeightSharing.Counts(codes, q.Levels).DetachFromDisposeScope());
        }
        Snap();
    }

    /// <inheritdoc/>
    public void AfterBackward(nn.Module model, long step)
    {
        using var scope = NewDisposeScope();
        foreach (var (weight, codes, levels, _) in layers.Values)
        {
            var grad = weight.grad;
            if (grad is null) continue;
            var sums = zeros(levels, grad.dtype, grad.device).index_add_(0, codes, grad.flatten(), 1);
            sums[0] = 0;   // code 0 is zero: never moves
            grad.copy_(sums.index_select(0, codes).reshape(grad.shape));
        }
    }

    /// <inheritdoc/>
    public void AfterOptimizerStep(nn.Module model, long step) => Snap();

    /// <summary>The shared weights as they are now: the same codes, each centroid the value its weights hold.</summary>
    public QuantizedModel Result()
    {
        using var scope = NewDisposeScope();
        var result = new QuantizedModel();
        foreach (var (name, (weight, codes, levels, counts)) in layers)
            result[name] = WeightSharing.FromCodes(codes.reshape(weight.shape).cpu(), Means(weight, codes, counts).narrow(0, 1, levels - 1).cpu(),
                $"k-means, {levels - 1} centroids, fine-tuned");
        return result;
    }

    // Every weight becomes its cluster's mean; code 0 becomes exactly 0.
    private void Snap()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (weight, codes, _, counts) in layers.Values)
            weight.copy_(Means(weight, codes, counts).index_select(0, codes).reshape(weight.shape));
    }

    private static Tensor Means(Tensor weight, Tensor codes, Tensor counts)
    {
        var means = WeightSharing.MeansByCode(weight, codes, counts).to(weight.dtype);
        means[0] = 0;
        return means;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, codes, _, counts) in layers.Values)
        {
            codes.Dispose();
            counts.Dispose();
        }
        layers.Clear();
    }
}

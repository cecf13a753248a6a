using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>Quantizes every prunable weight of a model (linear and convolution weights; biases stay fp32).</summary>
public static class ModelQuantization
{
    /// <summary>
    /// Replaces each prunable weight by <paramref name="quantize"/>'s values and returns the quantized weights by
    /// parameter name (the caller owns them: dispose the result). Zeros stay zero, so the masks of a pruned model still hold.
    /// </summary>
    /// <exception cref="ArgumentException">A quantizer that changed a weight's shape or revived a zero.</exception>
    public static QuantizedModel Apply(nn.Module model, Func<string, Tensor, QuantizedWeight> quantize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(quantize);
        var result = new QuantizedModel();
        using var noGrad = no_grad();
        try
        {
            // Every layer is quantized and checked before any is written: a quantizer that fails on a later layer
            // leaves the model as it was, and the weights quantized so far are disposed with the result.
            var weights = MagnitudePruning.PrunableWeights(model).ToList();
            foreach (var (name, weight) in weights)
            {
                var q = quantize(name, weight);
                result[name] = q;
                using var scope = NewDisposeScope();
                if (!q.Values.shape.SequenceEqual(weight.shape))
                    throw new ArgumentException($"The quantizer returned [{string.Join(",", q.Values.shape)}] for '{name}' [{string.Join(",", weight.shape)}].");
                var revived = weight.eq(0).logical_and(q.Values.ne(0)).sum().item<long>();
                if (revived > 0) throw new ArgumentException($"The quantizer gave {revived} zero weights of '{name}' a value; quantization must never revive a pruned weight.");
            }
            using (var scope = NewDisposeScope())
                foreach (var (name, weight) in weights) weight.copy_(result[name].Values.to(weight.dtype).to(weight.device));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Linear quantization of every prunable weight (<see cref="LinearQuantization.Quantize"/>).</summary>
    public static QuantizedModel Linear(nn.Module model, int bits, bool perChannel = false) =>
        Apply(model, (_, w) => LinearQuantization.Quantize(w, bits, perChannel));

    /// <summary>k-means weight sharing of every prunable weight with 2^bits − 1 centroids, so a code with zero fits in <paramref name="bits"/> bits.</summary>
    public static QuantizedModel KMeans(nn.Module model, int bits) =>
        Apply(model, (_, w) => WeightSharing.Cluster(w, (1 << bits) - 1));
}

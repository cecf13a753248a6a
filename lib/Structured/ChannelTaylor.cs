using PruningLab.Data;
using PruningLab.FirstOrder;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>
/// Molchanov et al. (2017)'s first-order channel criterion (lesson 05). Removing channel c of an example replaces its
/// feature map a by zero, which changes that example's loss by about −Σ a·∂ℓ/∂a over the map's positions. The
/// criterion is, per channel, the mean over examples of |mean over positions of a·∂ℓ/∂a|, divided by the L2 norm of
/// the layer's scores (their per-layer normalisation, so that layers compare in a global ranking). It is not a sum of
/// per-weight scores: it needs activations and their gradients, captured with forward hooks during a
/// <see cref="Calibrate"/> pass. The feature map is taken where the coupling sees the channel: after its BatchNorm when
/// it has one (before the ReLU), else the producer's output.
/// </summary>
public sealed class ChannelTaylor : IChannelImportance, ICalibrated, IDisposable
{
    private readonly Dictionary<string, Tensor> sums = [];
    private int batches;
    private long samples;
    private bool disposed;

    /// <inheritdoc />
    public Calibration? Calibrated => batches == 0 ? null : new Calibration(batches, samples);

    /// <inheritdoc />
    public Calibration Calibrate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> batches)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(model);
        var coupling = ChannelCoupling.For(model);
        // The feature map of each group where the coupling sees the channel: after its BatchNorm, else the producer's output.
        var maps = coupling.Groups.ToDictionary(g => g.Name, g => g.BatchNorm ?? g.Producer);
        var (count, images) = GradientCapture.OfOutputs(model, maps, batches, (_, captured) =>
        {
            foreach (var (name, (map, gradient)) in captured)
            {
                var change = (map * gradient).to(float64);   // a·∂ℓₙ/∂a, example by example
                var perExample = change.dim() > 2 ? change.flatten(2).mean([2L]) : change;   // [N, channels]
                // sum([0L]), not sum(0): a literal 0 converts to ScalarType (Byte).
                CalibrationPass.Accumulate(sums, name, perExample.abs().sum([0L]));
            }
        });
        this.batches += count;
        samples += images;
        return Calibrated!;
    }

    /// <inheritdoc />
    public Tensor Score(nn.Module model, ChannelGroup group)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(group);
        if (batches == 0) throw new InvalidOperationException($"{this} has seen no data yet: call Calibrate(model, batches) first.");
        if (!sums.TryGetValue(group.Name, out var sum))
            throw new ArgumentException($"{this} was calibrated without '{group.Name}'; calibrated: {string.Join(", ", sums.Keys)}.");
        using var scope = NewDisposeScope();
        var mean = sum / samples;
        var norm = mean.norm().item<double>();
        return (norm > 0 ? mean / norm : mean).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => "first-order Taylor of activations (Molchanov 2017)";

    /// <summary>Frees the accumulated tensors.</summary>
    public void Dispose()
    {
        if (disposed) return;
        foreach (var t in sums.Values) t.Dispose();
        disposed = true;
    }
}

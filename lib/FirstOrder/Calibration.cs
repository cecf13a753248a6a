using PruningLab.Data;
using static TorchSharp.torch;

namespace PruningLab.FirstOrder;

/// <summary>What a data-driven criterion saw before scoring: how many batches and images.</summary>
/// <param name="Batches">Batches accumulated.</param>
/// <param name="Samples">Images in them (0 when accumulated during training, where the hook sees no batch).</param>
public sealed record Calibration(int Batches, long Samples)
{
    /// <summary>E.g. "8 batches, 2,048 images".</summary>
    public override string ToString() => Samples > 0 ? $"{Batches:N0} batches, {Samples:N0} images" : $"{Batches:N0} training batches";
}

/// <summary>
/// A criterion that needs data (lessons 05–07): it runs a calibration pass — forward and backward over batches —
/// accumulates what it needs (gradients, activations and their gradients), and only then scores. Scoring before
/// calibrating is an error. Keeping scoring and deciding apart, the masks still decide what goes.
/// </summary>
public interface ICalibrated
{
    /// <summary>What the criterion has accumulated so far; null before any calibration.</summary>
    Calibration? Calibrated { get; }

    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="batches"/> in evaluation mode (the network as it is used:
    /// BatchNorm's running statistics, no dropout), with the cross-entropy loss, and accumulates. Restores the model's
    /// mode and leaves no gradients behind.
    /// </summary>
    /// <exception cref="ArgumentException">No batches.</exception>
    Calibration Calibrate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> batches);
}

internal static class CalibrationPass
{
    /// <summary>Adds <paramref name="value"/> to the running sum kept under <paramref name="name"/> (a copy outlives every dispose scope).</summary>
    public static void Accumulate(Dictionary<string, Tensor> sums, string name, Tensor value)
    {
        if (sums.TryGetValue(name, out var sum)) sum.add_(value);
        else sums[name] = value.clone().DetachFromDisposeScope();
    }

    /// <summary>Forward and backward over each batch, calling <paramref name="accumulate"/> with the gradients in place.</summary>
    public static (int Batches, long Samples) Run(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> batches, Action<Batch> accumulate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        var (count, samples) = (0, 0L);
        InEvalMode(model, () =>
        {
            foreach (var batch in batches)
            {
                using var scope = NewDisposeScope();
                model.zero_grad();
                using (enable_grad())
                    nn.functional.cross_entropy(model.call(batch.X), batch.Y).backward();
                using (no_grad()) accumulate(batch);
                count++;
                samples += batch.Y.shape[0];
            }
        });
        if (count == 0) throw NoBatches(nameof(batches));
        return (count, samples);
    }

    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="model"/> in evaluation mode (the network as it is used:
    /// BatchNorm's running statistics, no dropout), then restores its mode and clears its gradients, even on failure.
    /// </summary>
    public static void InEvalMode(nn.Module model, Action body)
    {
        var wasTraining = model.training;
        try
        {
            model.eval();
            body();
        }
        finally
        {
            model.zero_grad();
            model.train(wasTraining);
        }
    }

    /// <summary>The error for a calibration without batches.</summary>
    public static ArgumentException NoBatches(string parameter) =>
        new("Calibration got no batches: pass a few batches of training images (data.Train.Batches(256).Take(8)).", parameter);
}

using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>How <see cref="ObdImportance"/> estimates the Hessian diagonal of a network too large for the exact one.</summary>
public enum DiagonalEstimate
{
    /// <summary>The empirical Fisher: the mean of squared per-sample gradients (<see cref="HessianDiagonal.EmpiricalFisher"/>).</summary>
    EmpiricalFisher,
    /// <summary>Hutchinson's E[v ⊙ Hv] over Rademacher vectors (<see cref="HessianDiagonal.Hutchinson"/>).</summary>
    Hutchinson,
}

/// <summary>
/// Optimal Brain Damage as a criterion the masks can use (lessons 06–07): calibrate on a few batches — which estimates
/// the Hessian diagonal of the cross-entropy over the weight matrices — then score each weight by ½·h_kk·w_k²
/// (<see cref="OptimalBrainDamage.Saliency"/>). An estimated h_kk can be negative (Hutchinson's is noisy, and the
/// true Hessian need not be positive away from an exact minimum); the quadratic model then says nothing useful about
/// that weight, so its curvature is taken as zero and the count is reported (<see cref="NegativeCurvatures"/>).
/// </summary>
public sealed class ObdImportance : IImportance, ICalibrated, IDisposable
{
    private readonly Dictionary<string, Tensor> diagonal = [];
    private readonly int hutchinsonSamples;
    private readonly int seed;
    private Calibration? calibrated;
    private bool disposed;

    private ObdImportance(DiagonalEstimate estimate, int hutchinsonSamples, int seed) =>
        (Estimate, this.hutchinsonSamples, this.seed) = (estimate, hutchinsonSamples, seed);

    /// <summary>OBD with the empirical Fisher diagonal, over every image of the calibration batches (one backward pass each).</summary>
    public static ObdImportance Fisher() => new(DiagonalEstimate.EmpiricalFisher, 0, 0);

    /// <summary>OBD with Hutchinson's diagonal of the mean loss over the calibration batches, from <paramref name="samples"/> random ±1 vectors.</summary>
    public static ObdImportance Hutchinson(int samples, int seed = 0) =>
        samples >= 1 ? new(DiagonalEstimate.Hutchinson, samples, seed)
                     : throw new ArgumentOutOfRangeException(nameof(samples), samples, "Hutchinson's estimate needs at least one sample (a few hundred for a few per cent).");

    /// <summary>How the diagonal is estimated.</summary>
    public DiagonalEstimate Estimate { get; }

    /// <inheritdoc />
    public Calibration? Calibrated => calibrated;

    /// <summary>How many estimated h_kk were negative and taken as zero (after <see cref="Calibrate"/>).</summary>
    public long NegativeCurvatures { get; private set; }

    /// <summary>The estimated diagonal of a weight matrix, h_kk per weight (float64), after <see cref="Calibrate"/>.</summary>
    public Tensor Diagonal(string name) => Lookup(name).alias();

    /// <inheritdoc />
    public Calibration Calibrate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> batches)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        var list = batches.ToList();
        if (list.Count == 0) throw CalibrationPass.NoBatches(nameof(batches));
        var named = model.named_parameters().Where(p => p.parameter.dim() >= 2).ToList();
        var parameters = named.Select(p => (Tensor)p.parameter).ToList();
        // The diagonal estimates need the loss over all images at once, so they run inside the same evaluation-mode
        // guard as CalibrationPass.Run rather than through its batch-by-batch loop.
        CalibrationPass.InEvalMode(model, () =>
        {
            using var scope = NewDisposeScope();
            var x = cat(list.Select(b => b.X).ToList(), 0);
            var y = cat(list.Select(b => b.Y).ToList(), 0);
            var estimate = Estimate == DiagonalEstimate.EmpiricalFisher
                ? HessianDiagonal.EmpiricalFisher(n => nn.functional.cross_entropy(model.call(x.narrow(0, n, 1)), y.narrow(0, n, 1)), (int)x.shape[0], parameters)
                : HessianDiagonal.Hutchinson(() => nn.functional.cross_entropy(model.call(x), y), parameters, hutchinsonSamples, seed);
            foreach (var t in diagonal.Values) t.Dispose();
            diagonal.Clear();
            NegativeCurvatures = 0;
            for (var i = 0; i < named.Count; i++)
            {
                Checks.Finite(estimate[i], "estimated Hessian diagonal");
                NegativeCurvatures += estimate[i].lt(0).sum().item<long>();
                diagonal[named[i].name] = estimate[i].clamp_min(0).DetachFromDisposeScope();
            }
            calibrated = new Calibration(list.Count, x.shape[0]);
        });
        return calibrated!;
    }

    /// <inheritdoc />
    public Tensor Score(string name, Tensor weight) => OptimalBrainDamage.Saliency(weight, Lookup(name));

    /// <inheritdoc />
    public override string ToString() => Estimate == DiagonalEstimate.EmpiricalFisher
        ? "OBD ½·h·w², empirical Fisher diagonal"
        : $"OBD ½·h·w², Hutchinson diagonal ({hutchinsonSamples} samples)";

    /// <summary>Frees the diagonal.</summary>
    public void Dispose()
    {
        if (disposed) return;
        foreach (var t in diagonal.Values) t.Dispose();
        disposed = true;
    }

    private Tensor Lookup(string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (calibrated is null) throw new InvalidOperationException($"{this} has no Hessian diagonal yet: call Calibrate(model, batches) first.");
        return diagonal.TryGetValue(name, out var h)
            ? h
            : throw new ArgumentException($"{this} has no diagonal for '{name}'; calibrated: {string.Join(", ", diagonal.Keys)}.", nameof(name));
    }
}

using PruningLab.Data;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.FirstOrder;

/// <summary>
/// First-order Taylor importance of weights (lesson 05). Removing weight w changes the loss by about −g·w to first
/// order (g = ∂L/∂w), so |w·g| estimates what the weight is worth — data-driven where magnitude is a heuristic.
/// Accumulated over batches: by <see cref="Calibrate"/>, or during training as an <see cref="ITrainingHook"/> (after
/// every backward pass).
/// <list type="bullet">
/// <item><see cref="Absolute"/>: the mean over batches of |w·g| per weight; a group scores the sum.</item>
/// <item><see cref="SquaredSum"/>: the mean over batches of (Σ over the group of w·g)² (Molchanov et al., 2019): the
/// first-order change of removing the whole group at once, squared; weights whose changes cancel count less together.</item>
/// </list>
/// </summary>
public sealed class TaylorImportance : IGroupImportance, ICalibrated, ITrainingHook, IDisposable
{
    private readonly Dictionary<string, Tensor> absolute = [];
    private readonly Dictionary<string, Tensor> squared = [];
    private int batches;
    private long samples;
    private bool disposed;

    private TaylorImportance(Granularity? group) => Group = group;

    /// <summary>|w·g| per weight, averaged over batches.</summary>
    public static TaylorImportance Absolute() => new(null);

    /// <summary>(Σ w·g)² per group of <paramref name="granularity"/>, averaged over batches; prune with the same granularity.</summary>
    public static TaylorImportance SquaredSum(Granularity granularity) => new(granularity ?? throw new ArgumentNullException(nameof(granularity)));

    /// <summary>The granularity of <see cref="SquaredSum"/>; null for <see cref="Absolute"/>.</summary>
    public Granularity? Group { get; }

    /// <inheritdoc />
    public Calibration? Calibrated => batches == 0 ? null : new Calibration(batches, samples);

    /// <inheritdoc />
    public Calibration Calibrate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> batches)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var (_, images) = CalibrationPass.Run(model, batches, _ => Accumulate(model));
        samples += images;
        return Calibrated!;
    }

    /// <summary>Accumulates this batch's gradients during training (the trainer calls it after every backward pass).</summary>
    public void AfterBackward(nn.Module model, long step) => Accumulate(model);

    /// <summary>Nothing to do after the step.</summary>
    public void AfterOptimizerStep(nn.Module model, long step) { }

    /// <inheritdoc />
    public Tensor Score(string name, Tensor weight) => Mean(absolute, name);

    /// <inheritdoc />
    public Tensor GroupScores(string name, Tensor weight, Granularity granularity)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        if (Group is null) return granularity.GroupScores(Score(name, weight));
        if (!Equals(granularity, Group))
            throw new ArgumentException($"This Taylor importance squares sums over groups of {Group}; prune with that granularity, not {granularity}.", nameof(granularity));
        return Mean(squared, name);
    }

    /// <inheritdoc />
    public override string ToString() => Group is null ? "first-order Taylor |w·g|" : $"first-order Taylor (Σ w·g)² over {Group}";

    /// <summary>Frees the accumulated tensors.</summary>
    public void Dispose()
    {
        if (disposed) return;
        foreach (var t in absolute.Values.Concat(squared.Values)) t.Dispose();
        disposed = true;
    }

    private void Accumulate(nn.Module model)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var any = false;
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (parameter.dim() < 2 || parameter.grad is not { IsInvalid: false } gradient) continue;
            var change = (parameter.detach() * gradient).to(float64);   // −(first-order loss change of removing each weight)
            if (!change.isfinite().all().item<bool>())
                throw new InvalidOperationException($"{this}: the weights or gradients of '{name}' hold NaN or infinite values " +
                                                    "(a diverged training run, or a learning rate too high?); no score can be computed from them.");
            CalibrationPass.Accumulate(absolute, name, change.abs());
            if (Group is not null) CalibrationPass.Accumulate(squared, name, Group.Grouped(change).sum(1).pow(2));
            any = true;
        }
        if (!any) throw new InvalidOperationException("No gradients to accumulate: call it after a backward pass.");
        batches++;
    }

    private Tensor Mean(Dictionary<string, Tensor> sums, string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (batches == 0)
            throw new InvalidOperationException($"{this} has seen no data yet: call Calibrate(model, batches) first, or train with it as a hook.");
        if (!sums.TryGetValue(name, out var sum))
            throw new ArgumentException($"{this} has no gradients for '{name}'; accumulated: {string.Join(", ", sums.Keys)}.", nameof(name));
        return sum / batches;
    }
}

using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// Prunes while training: at given optimiser steps the masks are tightened to a target sparsity, and after every
/// other step they are re-applied. Pass it to <see cref="TrainingOptions.Hooks"/>. With a <see cref="PolynomialSchedule"/>
/// this is Zhu &amp; Gupta's gradual pruning (they prune this way while training from scratch; lesson 02 does it while
/// fine-tuning an already trained model); with a few steps at epoch ends it is iterative pruning inside one run.
/// </summary>
public sealed class GradualPruning : ITrainingHook
{
    private readonly ModelMasks masks;
    private readonly bool global;
    private readonly IImportance? criterion;
    private readonly Dictionary<long, double> targets;

    /// <summary>Prunes <paramref name="masks"/> along <paramref name="schedule"/>, globally or uniformly per layer.</summary>
    /// <param name="masks">The masks to tighten.</param>
    /// <param name="schedule">When to update and, unless <paramref name="sparsityAt"/> is given, to what sparsity.</param>
    /// <param name="global">One ranking across layers (true) or the same sparsity in every layer.</param>
    /// <param name="criterion">The importance; magnitude if null.</param>
    /// <param name="sparsityAt">The sparsity to reach at an optimiser step, instead of the schedule's own (a learner's
    /// implementation of the schedule, in lesson 02).</param>
    public GradualPruning(ModelMasks masks, PolynomialSchedule schedule, bool global = true, IImportance? criterion = null,
        Func<long, double>? sparsityAt = null)
        : this(masks, ScheduleTargets(schedule, sparsityAt), global, criterion)
    {
    }

    /// <summary>Prunes <paramref name="masks"/> to each target sparsity at its optimiser step (counted from 0).</summary>
    /// <exception cref="ArgumentException">A step is negative or repeated, or the targets decrease.</exception>
    public GradualPruning(ModelMasks masks, IReadOnlyList<(long Step, double Sparsity)> targets, bool global = true, IImportance? criterion = null)
    {
        this.masks = masks ?? throw new ArgumentNullException(nameof(masks));
        ArgumentNullException.ThrowIfNull(targets);
        var previous = (Step: -1L, Sparsity: 0.0);
        foreach (var target in targets)
        {
            _ = Amount.Of(target.Sparsity);
            if (target.Step <= previous.Step)
                throw new ArgumentException($"Target steps must increase from 0: step {target.Step} follows {previous.Step}.", nameof(targets));
            if (target.Sparsity < previous.Sparsity)
                throw new ArgumentException($"Target sparsities must not decrease: {target.Sparsity} at step {target.Step} follows {previous.Sparsity}.", nameof(targets));
            previous = target;
        }
        Targets = targets.ToList();
        this.targets = targets.ToDictionary(t => t.Step, t => t.Sparsity);
        this.global = global;
        this.criterion = criterion;
    }

    /// <summary>The planned (step, sparsity) updates.</summary>
    public IReadOnlyList<(long Step, double Sparsity)> Targets { get; }

    /// <summary>(step, sparsity reached) at every update so far: the schedule as it was applied.</summary>
    public List<(long Step, double Sparsity)> Updates { get; } = [];

    /// <inheritdoc/>
    public void AfterOptimizerStep(nn.Module model, long step)
    {
        if (targets.TryGetValue(step, out var target))
        {
            masks.PruneTo(target, global, criterion);
            Updates.Add((step, masks.Sparsity));
        }
        else
        {
            masks.Apply();
        }
    }

    private static List<(long, double)> ScheduleTargets(PolynomialSchedule schedule, Func<long, double>? sparsityAt)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        sparsityAt ??= schedule.SparsityAt;
        return Enumerable.Range(0, schedule.PruningSteps + 1)
            .Select(i => schedule.StartStep + i * schedule.Frequency)
            .Select(step => (step, sparsityAt(step))).ToList();
    }
}

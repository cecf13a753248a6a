using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// Prunes during training along a <see cref="PolynomialSchedule"/>: at every update step the masks are tightened to
/// the schedule's sparsity, and after every optimiser step they are re-applied. Pass it to
/// <see cref="TrainingOptions.Hooks"/>. Lesson 02.
/// </summary>
public sealed class GradualPruning : ITrainingHook
{
    private readonly ModelMasks masks;
    private readonly bool global;
    private readonly IImportance? criterion;

    /// <summary>Prunes <paramref name="masks"/> along <paramref name="schedule"/>, globally or uniformly per layer.</summary>
    public GradualPruning(ModelMasks masks, PolynomialSchedule schedule, bool global = true, IImportance? criterion = null)
    {
        this.masks = masks ?? throw new ArgumentNullException(nameof(masks));
        Schedule = (schedule ?? throw new ArgumentNullException(nameof(schedule))).Validate();
        this.global = global;
        this.criterion = criterion;
    }

    /// <summary>The schedule followed.</summary>
    public PolynomialSchedule Schedule { get; }

    /// <summary>(step, sparsity reached) at every update so far: the schedule as it was applied.</summary>
    public List<(long Step, double Sparsity)> Updates { get; } = [];

    /// <inheritdoc/>
    public void AfterOptimizerStep(nn.Module model, long step)
    {
        if (Schedule.IsUpdateStep(step))
        {
            masks.PruneTo(Schedule.SparsityAt(step), global, criterion);
            Updates.Add((step, masks.Report().Sparsity));
        }
        else
        {
            masks.Apply();
        }
    }
}

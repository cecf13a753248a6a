using Plotly.NET;
using PruningLab.Training;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>Training curves of a <see cref="TrainingHistory"/> (or any sequence of epoch results).</summary>
    public static GenericChart TrainingCurves(IEnumerable<EpochResult> history, string title = "Training curves") =>
        TrainingCurves(history.Select(e => new EpochPoint(e.Epoch, e.TrainLoss, e.TestLoss, e.TrainAccuracy, e.TestAccuracy)).ToList(), title);
}

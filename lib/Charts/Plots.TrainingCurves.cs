using Plotly.NET;
using PruningLab.Training;

namespace PruningLab.Charts;

/// <summary>Chart builders for the course. Each takes plain .NET data and returns a Plotly.NET chart.</summary>
public static partial class Plots
{
    /// <summary>
    /// Loss and accuracy per epoch, side by side: train vs validation in each panel,
    /// with the same colour for "train" (and for "validation") in both panels.
    /// </summary>
    /// <param name="history">One result per epoch, in order (a <see cref="TrainingHistory"/>).</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart TrainingCurves(IEnumerable<EpochResult> history, string title = "Training curves")
    {
        ArgumentNullException.ThrowIfNull(history);
        var points = history.ToList();
        var epochs = points.Select(p => p.Epoch).ToArray();

        Trace2D Curve(string name, IEnumerable<double> y, int colour, string group) =>
            Figure.Trace("scatter")
                .With("x", epochs).With("y", y.ToArray())
                .With("mode", "lines+markers").With("name", name)
                .With("legendgroup", group)
                .With("line", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(colour) });

        var loss = Figure.Chart(
            [
                Curve("train loss", points.Select(p => p.TrainLoss), 0, "train"),
                Curve("validation loss", points.Select(p => p.ValidationLoss), 1, "validation"),
            ],
            "epoch", "loss");
        var accuracy = Figure.Chart(
            [
                Curve("train accuracy", points.Select(p => p.TrainAccuracy), 0, "train"),
                Curve("validation accuracy", points.Select(p => p.ValidationAccuracy), 1, "validation"),
            ],
            "epoch", "accuracy");

        var grid = Figure.Grid([loss, accuracy], ["Loss", "Accuracy"], columns: 2);
        return ChartStyle.Finish(grid, title);
    }
}

using System.Diagnostics;
using PruningLab.Data;
using PruningLab.Notebooks;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// The course's training loop: shuffled mini-batches, cross-entropy, an optimiser step, the hooks (which keep
/// pruned weights at zero), then evaluation after every epoch. Introduced in lesson 00.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place and returns the per-epoch history.
    /// </summary>
    /// <param name="model">The network; left in training mode.</param>
    /// <param name="train">Training images (shuffled every epoch from <see cref="TrainingOptions.Seed"/>).</param>
    /// <param name="validation">Evaluation images, measured after every epoch (the validation split in the lessons).</param>
    /// <param name="options">Epochs, optimiser, schedule, hooks; defaults if null.</param>
    /// <param name="onEpoch">Called after every epoch with the history so far: a notebook redraws its live chart here.</param>
    /// <returns>One <see cref="EpochResult"/> per epoch.</returns>
    /// <remarks>Every batch runs inside its own dispose scope, so native memory stays flat across epochs.</remarks>
    public static TrainingHistory Fit(nn.Module<Tensor, Tensor> model, ImageDataset train, ImageDataset validation,
        TrainingOptions? options = null, Action<TrainingHistory>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        options ??= new TrainingOptions();
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));

        var history = new TrainingHistory();
        var progress = Progress.For(options.Progress, $"Training {model.GetName()}", options.Epochs);
        random.manual_seed(options.Seed);
        using var optimizer = options.Optimizer.Create(model.parameters());
        long step = 0;
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;

        model.train();
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var rate = options.Schedule.RateAt(epoch, options.Epochs, options.Optimizer.LearningRate);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;

            var bar = progress.EpochBar(epoch, batchesPerEpoch);
            var clock = Stopwatch.StartNew();
            // Loss and correct counts accumulate as tensors: one item() per epoch instead of one per batch.
            using var lossSum = zeros(1, dtype: float64);
            using var correct = zeros(1, dtype: int64);
            var batchIndex = 0;
            foreach (var batch in train.Batches(options.BatchSize, shuffle: true, seed: options.Seed * 1000 + epoch))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    optimizer.zero_grad();
                    var logits = model.call(batch.X);
                    var loss = nn.functional.cross_entropy(logits, batch.Y);
                    loss.backward();
                    using (no_grad())
                        foreach (var hook in options.Hooks) hook.AfterBackward(model, step);
                    optimizer.step();
                    using (no_grad())
                    {
                        foreach (var hook in options.Hooks) hook.AfterOptimizerStep(model, step);
                        lossSum.add_(loss.detach() * batch.Y.shape[0]);
                        correct.add_(logits.argmax(1).eq(batch.Y).sum());
                    }
                }
                step++;
                bar?.Report(++batchIndex);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            bar?.Finish(batchIndex);
            var (validationLoss, validationAccuracy) = Evaluator.Evaluate(model, validation);
            model.train();
            var result = new EpochResult(epoch + 1, lossSum.item<double>() / train.Count, correct.item<long>() / (double)train.Count,
                validationLoss, validationAccuracy, rate, seconds);
            history.Add(result);
            progress.EpochDone(result, options.Epochs);
            onEpoch?.Invoke(history);
        }
        return history;
    }

    // How progress is shown: a bar or lines on the console, a live line in a notebook cell, or nothing.
    private sealed class Progress
    {
        private readonly ProgressDisplay display;
        private readonly string label;
        private readonly LiveDisplay? notebook;
        private readonly Stopwatch clock = Stopwatch.StartNew();

        private Progress(ProgressDisplay display, string label, LiveDisplay? notebook)
        {
            this.display = display;
            this.label = label;
            this.notebook = notebook;
        }

        public static Progress For(ProgressDisplay requested, string label, int epochs)
        {
            var display = requested switch
            {
                ProgressDisplay.Auto when CourseEnvironment.InNotebook => ProgressDisplay.Notebook,
                ProgressDisplay.Auto => ProgressBar.Terminal is not null ? ProgressDisplay.Bar : ProgressDisplay.Lines,
                _ => requested,
            };
            var notebook = display == ProgressDisplay.Notebook && epochs > 0 ? NotebookDisplay.Show(Line(label, 0, epochs, null, 0)) : null;
            return new Progress(display, label, notebook);
        }

        public ProgressBar? EpochBar(int epoch, long batches) =>
            display == ProgressDisplay.Bar ? new ProgressBar(Console.Error, $"epoch {epoch + 1}", batches) : null;

        public void EpochDone(EpochResult result, int epochs)
        {
            if (display is ProgressDisplay.Bar or ProgressDisplay.Lines)
                Console.Error.WriteLine($"epoch {result.Epoch}/{epochs}: train loss {result.TrainLoss:F4}, train acc {result.TrainAccuracy:P2}, " +
                                        $"validation loss {result.ValidationLoss:F4}, validation acc {result.ValidationAccuracy:P2}, {result.Seconds:F2} s");
            notebook?.Update(Line(label, result.Epoch, epochs, result, clock.Elapsed.TotalSeconds));
        }

        private static Html Line(string label, int done, int epochs, EpochResult? last, double seconds) => new(
            $"<div style=\"font-family:monospace\">{System.Net.WebUtility.HtmlEncode(label)} <progress value=\"{done}\" max=\"{epochs}\"></progress> " +
            $"epoch {done}/{epochs}, {seconds:F0} s" +
            (last is null ? "" : $", validation accuracy {last.ValidationAccuracy:P2}") + "</div>");
    }
}

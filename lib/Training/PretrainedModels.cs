using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PruningLab.Data;
using PruningLab.Models;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>A trained model with the history of the run that produced it.</summary>
/// <param name="Model">The trained network.</param>
/// <param name="History">The per-epoch results of its training run.</param>
/// <param name="CheckpointPath">Where the weights are cached.</param>
/// <param name="FromCache">True when the weights were loaded rather than trained now.</param>
public sealed record PretrainedModel(nn.Module<Tensor, Tensor> Model, TrainingHistory History, string CheckpointPath, bool FromCache);

/// <summary>
/// Dense base models shared by the lessons: trained once per architecture, data, recipe and seed, then loaded
/// from <see cref="CoursePaths.ModelCache"/> (<c>models/cache/</c> in the clone). Delete a file there to retrain.
/// </summary>
public static class PretrainedModels
{
    /// <summary>
    /// The course's recipe for the dense LeNet-300-100 of lessons 00–02: 15 epochs, batch 128, SGD with momentum 0.9,
    /// learning rate 0.05 with cosine decay, seed 0 (89.81 % test accuracy on Fashion-MNIST on the reference machine).
    /// </summary>
    public static TrainingOptions BaseRecipe { get; } = new()
    {
        Epochs = 15, BatchSize = 128, Seed = 0,
        Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9),
        Schedule = LearningRateSchedule.Cosine(),
    };

    /// <summary>The dense LeNet-300-100 trained with <see cref="BaseRecipe"/> (cached after the first run).</summary>
    public static PretrainedModel LeNet300100(ImageDataset train, ImageDataset test, Action<TrainingHistory>? onEpoch = null) =>
        Get(ModelZoo.LeNet300100, train, test, BaseRecipe, onEpoch);

    /// <summary>
    /// Loads the cached model for this recipe, or trains it (with progress) and caches it.
    /// </summary>
    /// <param name="architecture">A name from <see cref="ModelZoo.Architectures"/>.</param>
    /// <param name="train">Training data; its name and size are part of the cache key.</param>
    /// <param name="test">Evaluation data for the per-epoch history.</param>
    /// <param name="options">The recipe; its epochs, batch size, optimiser, schedule and seed are part of the key.</param>
    /// <param name="onEpoch">Live progress while training (not called when loading from the cache).</param>
    /// <param name="cacheDirectory">Where to keep the model; <see cref="CoursePaths.ModelCache"/> by default.</param>
    public static PretrainedModel Get(string architecture, ImageDataset train, ImageDataset test, TrainingOptions? options = null,
        Action<TrainingHistory>? onEpoch = null, string? cacheDirectory = null)
    {
        options ??= new TrainingOptions();
        options.Validate();
        var recipe = $"{architecture}|{train.Name}|{train.Count}|{options.Epochs}|{options.BatchSize}|{options.Optimizer}|{options.Schedule}|{options.Seed}";
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(recipe)))[..10].ToLowerInvariant();
        var stem = Path.Combine(cacheDirectory ?? CoursePaths.ModelCache, $"{architecture}-{Sanitize(train.Name)}-{train.Count}-e{options.Epochs}-seed{options.Seed}-{key}");
        var checkpointPath = stem + ".ckpt";
        var historyPath = stem + ".history.json";

        var model = ModelZoo.Create(architecture, options.Seed);
        if (File.Exists(checkpointPath) && File.Exists(historyPath))
        {
            Checkpoint.Load(model, checkpointPath);
            var saved = JsonSerializer.Deserialize<List<EpochResult>>(File.ReadAllText(historyPath)) ?? [];
            return new PretrainedModel(model, new TrainingHistory(saved), checkpointPath, FromCache: true);
        }

        if (!CourseEnvironment.InNotebook)
            Console.Error.WriteLine($"Training {architecture} on {train.Name} ({options.Epochs} epochs, seed {options.Seed}); cached afterwards at {checkpointPath}");
        var history = Trainer.Fit(model, train, test, options, onEpoch);
        Checkpoint.Save(model, checkpointPath);
        var tempHistory = historyPath + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(tempHistory, JsonSerializer.Serialize(history.ToList()));
        File.Move(tempHistory, historyPath, overwrite: true);
        return new PretrainedModel(model, history, checkpointPath, FromCache: false);
    }

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
}

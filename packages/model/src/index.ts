/**
 * @gears-pipeline/model — the GEARS network in TensorFlow.js, training from sufficient statistics
 * (objective `moments`) or streamed paired cells (objective `cells`), checkpoints and prediction.
 */
export { selectBackend, BACKEND_NAMES, type BackendName, type BackendInfo } from './lib/backend.ts';
export { DEFAULT_MODEL_CONFIG, type ModelConfig } from './lib/config.ts';
export { createParams, parameterCount, type GearsParams } from './lib/params.ts';
export { forward, renormEmbeddings, type PreparedGraphs, type ForwardInput, type ForwardOutput } from './lib/network.ts';
export { buildModel, disposeModel, type GearsModel } from './lib/model.ts';
export { fromTorchStateDict, type TorchTensor } from './lib/torch-weights.ts';
export { conditionMoments, expectedFourthPower, type ConditionMoments, type DirectionLoss } from './lib/moments.ts';
export { COMPOSITION_NAMES, DEFAULT_RIDGE_GRID, DEFAULT_INTERACTION_GRID, fitComposition, composedDeltas, targetGenes, type Composition, type CompositionName, type CompositionCondition, type FitCompositionOptions, type NetworkDeltas } from './lib/composition.ts';
export { trainGears, predictDeltas, predictOutputs, networkOutputs, usableConditions, DEFAULT_TRAIN_ARGS, DEFAULT_MOMENTS_BATCH_SIZE, DEFAULT_CELLS_BATCH_SIZE, resolveBatchSize, type TrainArgs, type TrainInputs, type TrainResult, type EpochRecord, type ObjectiveName } from './lib/train.ts';
export { meanMetrics, averageMetrics, type ConditionMetrics } from './lib/metrics.ts';
export { syntheticDataset, statsFromCells, type SyntheticArgs, type SyntheticDataset, type DenseCell } from './lib/synthetic.ts';
export { stepFlops, forwardFlops } from './lib/flops.ts';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT_VERSION, CHECKPOINT_FILES, type CheckpointMeta, type SaveOptions } from './lib/checkpoint.ts';
export { predictPerturbations, resolvePerturbations, suggestGenes, readGeneAliases, type PerturbationPrediction, type PredictOptions } from './lib/predict.ts';
export { runTrain, runPredict, loadTrainInputs, parsePerturbationList, MODEL_FILES, PREDICTIONS_FILE, PREDICTIONS_H5AD_FILE, PREDICT_MODEL_NAME, type RunTrainArgs, type RunTrainResult, type RunPredictArgs, type RunPredictResult } from './lib/run.ts';
export { UnseenPredictor, fitOwnExpression, UNSEEN_FORM_NAMES, CLOSED_FORMS, type UnseenFormName, type UnseenParams, type UnseenBasis, type OwnExpression } from './lib/unseen/forms.ts';
export { chooseUnseenForm, caseMetrics, pick, MIN_VALIDATION_CONDITIONS, DEFAULT_SHRINKS, type UnseenCase, type UnseenChoice, type FormScore, type ChooseOptions } from './lib/unseen/select.ts';
export { goTransitions, randomWalkWithRestart, DEFAULT_RESTARTS, type GoTransitions } from './lib/unseen/go-similarity.ts';
export { fitModelComposition, formsInUse, type FormsInUse } from './lib/composition-auto.ts';
export { COMBO_KINDS, comboKind, type ComboKind, type ComboChoice, type ComboForm, type UnseenComposition } from './lib/composition.ts';

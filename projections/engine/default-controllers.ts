import { createDeploymentController } from '../controllers/deployment/deployment-controller.ts';
import { type KubeletOptions, createKubeletController } from '../controllers/kubelet/kubelet-controller.ts';
import { createReplicaSetController } from '../controllers/replicaset/replicaset-controller.ts';
import { type SchedulerOptions, createSchedulerController } from '../controllers/scheduler/scheduler-controller.ts';
import type { Controller } from './controller.ts';

export interface DefaultControllerOptions {
  kubelet?: KubeletOptions;
  scheduler?: SchedulerOptions;
}

/**
 * Every built-in controller, in the order the engine feeds them. The order is part of the
 * determinism contract: changing it changes the logs a seed produces.
 */
export function defaultControllers(options: DefaultControllerOptions = {}): Controller[] {
  return [
    createDeploymentController(),
    createReplicaSetController(),
    createSchedulerController(options.scheduler),
    createKubeletController(options.kubelet),
  ];
}

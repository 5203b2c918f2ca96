import { createCronJobController } from '../controllers/cronjob/cronjob-controller.ts';
import { createDaemonSetController } from '../controllers/daemonset/daemonset-controller.ts';
import { createDeploymentController } from '../controllers/deployment/deployment-controller.ts';
import { createDisruptionController } from '../controllers/disruption/disruption-controller.ts';
import { createHpaController } from '../controllers/hpa/hpa-controller.ts';
import { createIngressController } from '../controllers/ingress/ingress-controller.ts';
import { createGarbageCollectorController } from '../controllers/garbage-collector/garbage-collector-controller.ts';
import { createNamespaceController } from '../controllers/garbage-collector/namespace-controller.ts';
import { createCrdFinalizerController } from '../controllers/garbage-collector/crd-finalizer-controller.ts';
import { createServiceAccountController } from '../controllers/serviceaccount/serviceaccount-controller.ts';
import { createJobController } from '../controllers/job/job-controller.ts';
import { type KubeletOptions, createKubeletController } from '../controllers/kubelet/kubelet-controller.ts';
import { type NodeLifecycleOptions, createNodeLifecycleController } from '../controllers/node-lifecycle/node-lifecycle-controller.ts';
import { createPodGcController } from '../controllers/node-lifecycle/pod-gc-controller.ts';
import { type ReplicaSetControllerOptions, createReplicaSetController } from '../controllers/replicaset/replicaset-controller.ts';
import { createEndpointsController } from '../controllers/service/endpoints-controller.ts';
import { createEndpointSliceController } from '../controllers/service/endpointslice-controller.ts';
import { createLoadBalancerController } from '../controllers/service/load-balancer-controller.ts';
import { createStatefulSetController } from '../controllers/statefulset/statefulset-controller.ts';
import { createPersistentVolumeController } from '../controllers/volume/persistent-volume-controller.ts';
import { createReplicationControllerController } from '../controllers/replicationcontroller/replication-controller.ts';
import { createResourceQuotaController } from '../controllers/resourcequota/resource-quota-controller.ts';
import { type SchedulerOptions, createSchedulerController } from '../controllers/scheduler/scheduler-controller.ts';
import type { Controller } from './controller.ts';

export interface DefaultControllerOptions {
  kubelet?: KubeletOptions;
  scheduler?: SchedulerOptions;
  nodeLifecycle?: NodeLifecycleOptions;
  replicaSet?: ReplicaSetControllerOptions;
}

/**
 * Every built-in controller, in the order the engine feeds them. The order is part of the
 * determinism contract: changing it changes the logs a seed produces.
 */
export function defaultControllers(options: DefaultControllerOptions = {}): Controller[] {
  return [
    createDeploymentController(),
    createReplicaSetController(options.replicaSet),
    createGarbageCollectorController(),
    createNamespaceController(),
    createCrdFinalizerController(),
    createServiceAccountController(),
    createSchedulerController(options.scheduler),
    createNodeLifecycleController(options.nodeLifecycle),
    createPodGcController(),
    createEndpointsController(),
    createEndpointSliceController(),
    createLoadBalancerController(),
    createDaemonSetController(),
    createStatefulSetController(),
    createJobController(),
    createCronJobController(),
    createDisruptionController(),
    createPersistentVolumeController(),
    createHpaController(),
    createResourceQuotaController(),
    createReplicationControllerController(),
    createIngressController(),
    createKubeletController(options.kubelet),
  ];
}

/** The built-ins with some replaced by name: how tests and `check` swap in a controller of their own. */
export function controllersWith(replacements: Record<string, Controller>, options: DefaultControllerOptions = {}): Controller[] {
  const controllers = defaultControllers(options).map((controller) => replacements[controller.name] ?? controller);
  for (const [name, controller] of Object.entries(replacements)) {
    if (!controllers.includes(controller)) throw new Error(`no built-in controller named ${name} to replace`);
  }
  return controllers;
}

import type { FastifyPluginAsync } from 'fastify';
import type { Index } from '../../engine/index-store.js';
import { cosine } from '../../engine/tfidf.js';
import { ApiError } from '../errors.js';
import { sharedTerms } from '../evidence.js';
import {
  ClusterDetailSchema,
  ClusterListQuery,
  ClusterListSchema,
  ErrorSchema,
  IdParams,
  type ClusterListQueryT,
} from '../schemas.js';
import { articleView, clusterSummary } from '../views.js';

export interface ClusterRoutesOptions {
  index: Index;
}

export const clusterRoutes: FastifyPluginAsync<ClusterRoutesOptions> = async (app, { index }) => {
  app.get<{ Querystring: ClusterListQueryT }>(
    '/v1/clusters',
    {
      schema: {
        summary: 'List clusters, newest-updated or largest first, with text and source filters',
        tags: ['clusters'],
        querystring: ClusterListQuery,
        response: { 200: ClusterListSchema, 400: ErrorSchema },
      },
    },
    async (request) => {
      const { sort, limit, offset, q, source } = request.query;
      const page = await index.listClusters({ sort, limit, offset, text: q || undefined, source: source || undefined });
      const members = await Promise.all(page.items.map((c) => index.clusterMembers(c.id)));
      return {
        total: page.total,
        limit,
        offset,
        items: page.items.map((c, i) => clusterSummary(c, members[i]!)),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/clusters/:id',
    {
      schema: {
        summary: 'One cluster: members in order, their decisions, and the evidence that ties them',
        tags: ['clusters'],
        params: IdParams,
        response: { 200: ClusterDetailSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const [cluster] = await index.getClusters([request.params.id]);
      if (!cluster) {
        throw new ApiError(404, 'not_found', `no cluster with id ${JSON.stringify(request.params.id)}`, 'id');
      }
      const members = await index.clusterMembers(cluster.id);
      return {
        ...clusterSummary(cluster, members),
        members: members.map((m) => ({ ...articleView(m), centroidSimilarity: cosine(m.vector, cluster.centroid) })),
        evidence: { sharedTerms: sharedTerms(members, 25) },
      };
    },
  );
};

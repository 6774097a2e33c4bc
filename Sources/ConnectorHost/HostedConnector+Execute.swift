import JSONValues
package import SCIM

extension HostedConnector {
    /// Executes one SCIM request against the connector: the host's whole SCIM surface, with no
    /// HTTP in it. `base` is the connector's SCIM base URL (`https://host/ecma2host_APP1/scim`),
    /// for the `location` of each resource; nil leaves it out.
    package nonisolated func execute(_ request: SCIMRequest, base: String?) async throws(SCIMError) -> SCIMResponse {
        let base = base ?? ""
        switch request.operation {
        case .serviceProviderConfig:
            return .ok(Discovery.serviceProviderConfig(base: base))
        case .resourceTypes(let name):
            try checkReady()
            guard let name else {
                let types = resourceDefinitions.map { Discovery.resourceType($0, base: base) }
                return .ok(ListResponse(totalResults: types.count, startIndex: 1, resources: types).json)
            }
            guard let type = resourceDefinitions.first(where: { $0.name.equalsIgnoringCase(name) }) else {
                throw .notFound("no resource type '\(name)'")
            }
            return .ok(Discovery.resourceType(type, base: base))
        case .schemas(let id):
            try checkReady()
            let schemas = Discovery.schemas(resourceDefinitions)
            guard let id else {
                let all = schemas.map { $0.json(location: "\(base)/Schemas/\($0.id)") }
                return .ok(ListResponse(totalResults: all.count, startIndex: 1, resources: all).json)
            }
            guard let schema = schemas.first(where: { $0.id.equalsIgnoringCase(id) }) else { throw .notFound("no schema '\(id)'") }
            return .ok(schema.json(location: "\(base)/Schemas/\(schema.id)"))
        case .search(let search) where request.resourceType == nil:
            return .ok(try await searchAll(search, request: request, base: base))
        default:
            break
        }
        guard let type = request.resourceType else { throw .notFound("no resource type named") }
        let definition = try definition(type)
        let projection = Projection(
            attributes: request.attributes.map(definition.resolve), excluded: request.excludedAttributes.map(definition.resolve))
        let location = "\(base)/\(definition.endpoint.dropFirst())"
        func present(_ resource: JSON) -> JSON { ResourceMapping.located(projection.apply(to: resource, definition: definition), base: location) }

        switch request.operation {
        case .search(let search):
            let (total, page) = try await query(
                type, filter: search.filter, startIndex: search.startIndex ?? 1, count: search.count.map { max(0, $0) } ?? Discovery.maxResults)
            return .ok(ListResponse(totalResults: total, startIndex: max(1, search.startIndex ?? 1), resources: page.map(present)).json)
        case .get(let id):
            return .ok(present(try await get(type, id: id)))
        case .create(let resource):
            let created = present(try await create(type, resource))
            return SCIMResponse(status: 201, body: created, location: created.member("meta")?.member("location")?.stringValue)
        case .replace(let id, let resource):
            return .ok(present(try await replace(type, id: id, resource)))
        case .patch(let id, let patch):
            let updated = try await self.patch(type, id: id, patch.operations)
            // Groups: 204, as Entra recommends (no member list); users: the resource.
            if type == .group, request.attributes.isEmpty { return .noContent }
            return .ok(present(updated))
        case .delete(let id):
            try await delete(type, id: id)
            return .noContent
        case .serviceProviderConfig, .resourceTypes, .schemas:
            throw .notFound("no such endpoint")
        }
    }

    /// `POST /.search`: every resource type at once (RFC 7644 §3.4.3).
    private nonisolated func searchAll(_ search: SCIMRequest.Search, request: SCIMRequest, base: String) async throws(SCIMError) -> JSON {
        var all: [JSON] = []
        for definition in resourceDefinitions {
            let projection = Projection(
                attributes: request.attributes.map(definition.resolve), excluded: request.excludedAttributes.map(definition.resolve))
            let location = "\(base)/\(definition.endpoint.dropFirst())"
            let type = definition.resourceType
            let (_, resources) = try await query(type, filter: search.filter, startIndex: 1, count: nil)
            all += resources.map { ResourceMapping.located(projection.apply(to: $0, definition: definition), base: location) }
        }
        let startIndex = max(1, search.startIndex ?? 1)
        let count = search.count.map { max(0, $0) } ?? Discovery.maxResults
        let page = Array(all.dropFirst(startIndex - 1).prefix(count))
        return ListResponse(totalResults: all.count, startIndex: startIndex, resources: page).json
    }
}

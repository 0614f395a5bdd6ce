"""The one table of mutating EC2 calls on the tracked types, and what each does.

Attribution reads it to tie a CloudTrail event to a change; ``watch-rule``
reads it to list the event names an EventBridge rule must catch. Each
``EventKind`` says, per resource type it touches (its ``Effect``s):

- where the event names the resource (dotted paths into the normalised
  ``request`` / ``response``; see ``params``); none: the call names it only by
  an association or attachment id that no snapshot keeps, so the event can be a
  *candidate* for a change in its region but never proof;
- whether it creates or deletes the whole resource, or which fields it edits
  and in which direction (``add``, ``remove``, ``change``);
- a refiner from ``parts`` that checks the exact part (rule, route, entry...).

Event names are EC2 API operation names, so the boto3 method is
``botocore.xform_name(name)`` and the IAM action is ``ec2:<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from driftwatch import registry as r
from driftwatch.attribution import parts as p

ADD = "add"
REMOVE = "remove"
CHANGE = "change"

# Which change directions a call of each direction can explain: a create after a
# delete of the same key shows as a changed item, so add and remove explain it.
EXPLAINS: Mapping[str, frozenset[str]] = {
    ADD: frozenset({ADD, CHANGE}),
    REMOVE: frozenset({REMOVE, CHANGE}),
    CHANGE: frozenset({ADD, REMOVE, CHANGE}),
}

ANY_TYPE = "*"


@dataclass(frozen=True)
class Effect:
    """What one call does to one resource type."""

    resource_type: str
    ids: tuple[str, ...]
    whole: str | None = None
    fields: tuple[str, ...] = ()
    direction: str = CHANGE
    refine: p.Refiner | None = None

    @property
    def named(self) -> bool:
        """False when the event cannot name the resource it changed."""
        return bool(self.ids)


@dataclass(frozen=True)
class EventKind:
    """One mutating EC2 call and its effects."""

    name: str
    effects: tuple[Effect, ...]

    @property
    def resource_types(self) -> tuple[str, ...]:
        """The types the call can change, in table order."""
        return tuple(dict.fromkeys(effect.resource_type for effect in self.effects))


def _ids(ids: str | tuple[str, ...]) -> tuple[str, ...]:
    return (ids,) if isinstance(ids, str) else ids


def _creates(resource_type: str, ids: str | tuple[str, ...]) -> Effect:
    return Effect(resource_type, _ids(ids), whole="added", direction=ADD)


def _deletes(resource_type: str, ids: str | tuple[str, ...]) -> Effect:
    return Effect(resource_type, _ids(ids), whole="removed", direction=REMOVE)


def _edits(
    resource_type: str,
    ids: str | tuple[str, ...],
    fields: tuple[str, ...],
    direction: str,
    refine: p.Refiner | None = None,
) -> Effect:
    return Effect(
        resource_type, _ids(ids), fields=fields, direction=direction, refine=refine
    )


def _kind(name: str, *effects: Effect) -> EventKind:
    return EventKind(name, effects)


SG, ACL, RT, ENI = r.SECURITY_GROUP, r.NETWORK_ACL, r.ROUTE_TABLE, r.NETWORK_INTERFACE
IGW, PCX, NAT, VPCE = (
    r.INTERNET_GATEWAY,
    r.VPC_PEERING_CONNECTION,
    r.NAT_GATEWAY,
    r.VPC_ENDPOINT,
)
INGRESS, EGRESS = ("IpPermissions",), ("IpPermissionsEgress",)
RULES = INGRESS + EGRESS
ENI_ADDRESS = ("Association", "PrivateIpAddresses")
EIP_ADDRESS = (
    "InstanceId",
    "NetworkInterfaceId",
    "PrivateIpAddress",
    "NetworkInterfaceOwnerId",
)
ENI_ATTRIBUTES = ("Groups", "SourceDestCheck", "Description", "Attachment")
VPC_CIDRS = ("CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet")
PEERING_OPTIONS = ("AccepterVpcInfo", "RequesterVpcInfo")
ENDPOINT_FIELDS = (
    "PolicyDocument",
    "RouteTableIds",
    "SubnetIds",
    "Groups",
    "PrivateDnsEnabled",
)

EVENT_KINDS_IN_ORDER: tuple[EventKind, ...] = (
    # security groups
    _kind(
        "AuthorizeSecurityGroupIngress",
        _edits(SG, "request.groupId", INGRESS, ADD, p.security_group_rules),
    ),
    _kind(
        "AuthorizeSecurityGroupEgress",
        _edits(SG, "request.groupId", EGRESS, ADD, p.security_group_rules),
    ),
    _kind(
        "RevokeSecurityGroupIngress",
        _edits(SG, "request.groupId", INGRESS, REMOVE, p.security_group_rules),
    ),
    _kind(
        "RevokeSecurityGroupEgress",
        _edits(SG, "request.groupId", EGRESS, REMOVE, p.security_group_rules),
    ),
    _kind(
        "ModifySecurityGroupRules",
        _edits(SG, "request.groupId", RULES, CHANGE, p.modified_security_group_rules),
    ),
    _kind(
        "UpdateSecurityGroupRuleDescriptionsIngress",
        _edits(SG, "request.groupId", INGRESS, CHANGE, p.security_group_rules),
    ),
    _kind(
        "UpdateSecurityGroupRuleDescriptionsEgress",
        _edits(SG, "request.groupId", EGRESS, CHANGE, p.security_group_rules),
    ),
    _kind("CreateSecurityGroup", _creates(SG, "response.groupId")),
    _kind("DeleteSecurityGroup", _deletes(SG, "request.groupId")),
    # network ACLs
    _kind(
        "CreateNetworkAclEntry",
        _edits(ACL, "request.networkAclId", ("Entries",), ADD, p.network_acl_entry),
    ),
    _kind(
        "ReplaceNetworkAclEntry",
        _edits(ACL, "request.networkAclId", ("Entries",), CHANGE, p.network_acl_entry),
    ),
    _kind(
        "DeleteNetworkAclEntry",
        _edits(ACL, "request.networkAclId", ("Entries",), REMOVE, p.network_acl_entry),
    ),
    # The new ACL is named; the one the subnet left is named only by aclassoc- id.
    _kind(
        "ReplaceNetworkAclAssociation",
        _edits(ACL, "request.networkAclId", ("Associations",), ADD),
        _edits(ACL, (), ("Associations",), REMOVE),
    ),
    _kind("CreateNetworkAcl", _creates(ACL, "response.networkAcl.networkAclId")),
    _kind("DeleteNetworkAcl", _deletes(ACL, "request.networkAclId")),
    # route tables
    _kind(
        "CreateRoute",
        _edits(RT, "request.routeTableId", ("Routes",), ADD, p.route_destination),
    ),
    _kind(
        "ReplaceRoute",
        _edits(RT, "request.routeTableId", ("Routes",), CHANGE, p.route_destination),
    ),
    _kind(
        "DeleteRoute",
        _edits(RT, "request.routeTableId", ("Routes",), REMOVE, p.route_destination),
    ),
    _kind(
        "AssociateRouteTable",
        _edits(
            RT,
            "request.routeTableId",
            ("Associations",),
            ADD,
            p.route_table_association,
        ),
    ),
    _kind(
        "ReplaceRouteTableAssociation",
        _edits(RT, "request.routeTableId", ("Associations",), ADD),
        _edits(RT, (), ("Associations",), REMOVE),
    ),
    _kind("DisassociateRouteTable", _edits(RT, (), ("Associations",), REMOVE)),
    _kind(
        "EnableVgwRoutePropagation",
        _edits(
            RT, "request.routeTableId", ("PropagatingVgws",), ADD, p.propagating_gateway
        ),
    ),
    _kind(
        "DisableVgwRoutePropagation",
        _edits(
            RT,
            "request.routeTableId",
            ("PropagatingVgws",),
            REMOVE,
            p.propagating_gateway,
        ),
    ),
    _kind("CreateRouteTable", _creates(RT, "response.routeTable.routeTableId")),
    _kind("DeleteRouteTable", _deletes(RT, "request.routeTableId")),
    # network interfaces and Elastic IPs
    _kind(
        "ModifyNetworkInterfaceAttribute",
        _edits(
            ENI, "request.networkInterfaceId", ENI_ATTRIBUTES, CHANGE, p.field_parameter
        ),
    ),
    # ModifyInstanceAttribute names the instance, not its primary interface.
    _kind(
        "ModifyInstanceAttribute",
        _edits(ENI, (), ("Groups", "SourceDestCheck"), CHANGE, p.field_parameter),
    ),
    _kind(
        "AssignPrivateIpAddresses",
        _edits(ENI, "request.networkInterfaceId", ("PrivateIpAddresses",), ADD),
    ),
    _kind(
        "UnassignPrivateIpAddresses",
        _edits(ENI, "request.networkInterfaceId", ("PrivateIpAddresses",), REMOVE),
    ),
    _kind(
        "AssignIpv6Addresses",
        _edits(ENI, "request.networkInterfaceId", ("Ipv6Addresses",), ADD),
    ),
    _kind(
        "UnassignIpv6Addresses",
        _edits(ENI, "request.networkInterfaceId", ("Ipv6Addresses",), REMOVE),
    ),
    _kind(
        "AttachNetworkInterface",
        _edits(ENI, "request.networkInterfaceId", ("Attachment",), ADD),
    ),
    _kind("DetachNetworkInterface", _edits(ENI, (), ("Attachment",), REMOVE)),
    _kind(
        "CreateNetworkInterface",
        _creates(ENI, "response.networkInterface.networkInterfaceId"),
    ),
    _kind("DeleteNetworkInterface", _deletes(ENI, "request.networkInterfaceId")),
    _kind(
        "RunInstances",
        _creates(ENI, "response.instancesSet.networkInterfaceSet.networkInterfaceId"),
    ),
    _kind("TerminateInstances", Effect(ENI, (), whole="removed", direction=REMOVE)),
    _kind(
        "AssociateAddress",
        _edits(r.EIP, "request.allocationId", EIP_ADDRESS, CHANGE),
        _edits(ENI, "request.networkInterfaceId", ENI_ADDRESS, CHANGE),
    ),
    # DisassociateAddress names only the eipassoc- id (or, outside a VPC, the IP).
    _kind(
        "DisassociateAddress",
        _edits(r.EIP, (), EIP_ADDRESS, CHANGE),
        _edits(ENI, (), ENI_ADDRESS, CHANGE),
    ),
    _kind("AllocateAddress", _creates(r.EIP, "response.allocationId")),
    _kind("ReleaseAddress", _deletes(r.EIP, "request.allocationId")),
    # VPCs
    _kind(
        "ModifyVpcAttribute",
        _edits(
            r.VPC,
            "request.vpcId",
            ("EnableDnsSupport", "EnableDnsHostnames"),
            CHANGE,
            p.field_parameter,
        ),
    ),
    _kind(
        "AssociateVpcCidrBlock",
        _edits(r.VPC, "request.vpcId", VPC_CIDRS, ADD, p.cidr_block),
    ),
    _kind("DisassociateVpcCidrBlock", _edits(r.VPC, (), VPC_CIDRS, REMOVE)),
    _kind("CreateVpc", _creates(r.VPC, "response.vpc.vpcId")),
    _kind("CreateDefaultVpc", _creates(r.VPC, "response.vpc.vpcId")),
    _kind("DeleteVpc", _deletes(r.VPC, "request.vpcId")),
    # internet gateways
    _kind(
        "AttachInternetGateway",
        _edits(
            IGW,
            "request.internetGatewayId",
            ("Attachments",),
            ADD,
            p.gateway_attachment,
        ),
    ),
    _kind(
        "DetachInternetGateway",
        _edits(
            IGW,
            "request.internetGatewayId",
            ("Attachments",),
            REMOVE,
            p.gateway_attachment,
        ),
    ),
    _kind(
        "CreateInternetGateway",
        _creates(IGW, "response.internetGateway.internetGatewayId"),
    ),
    _kind("DeleteInternetGateway", _deletes(IGW, "request.internetGatewayId")),
    # peering connections: accepting is what makes a pending request live
    _kind(
        "CreateVpcPeeringConnection",
        _creates(PCX, "response.vpcPeeringConnection.vpcPeeringConnectionId"),
    ),
    _kind(
        "AcceptVpcPeeringConnection",
        _creates(PCX, "request.vpcPeeringConnectionId"),
        _edits(PCX, "request.vpcPeeringConnectionId", PEERING_OPTIONS, CHANGE),
    ),
    _kind(
        "ModifyVpcPeeringConnectionOptions",
        _edits(PCX, "request.vpcPeeringConnectionId", PEERING_OPTIONS, CHANGE),
    ),
    _kind(
        "RejectVpcPeeringConnection", _deletes(PCX, "request.vpcPeeringConnectionId")
    ),
    _kind(
        "DeleteVpcPeeringConnection", _deletes(PCX, "request.vpcPeeringConnectionId")
    ),
    # NAT gateways
    _kind("CreateNatGateway", _creates(NAT, "response.natGateway.natGatewayId")),
    _kind("DeleteNatGateway", _deletes(NAT, "request.natGatewayId")),
    _kind(
        "AssociateNatGatewayAddress",
        _edits(NAT, "request.natGatewayId", ("NatGatewayAddresses",), ADD),
    ),
    _kind(
        "DisassociateNatGatewayAddress",
        _edits(NAT, "request.natGatewayId", ("NatGatewayAddresses",), REMOVE),
    ),
    # VPC endpoints
    _kind("CreateVpcEndpoint", _creates(VPCE, "response.vpcEndpoint.vpcEndpointId")),
    _kind(
        "ModifyVpcEndpoint",
        _edits(
            VPCE, "request.vpcEndpointId", ENDPOINT_FIELDS, CHANGE, p.field_parameter
        ),
    ),
    _kind("DeleteVpcEndpoints", _deletes(VPCE, "request.vpcEndpointId")),
    # customer gateways
    _kind(
        "CreateCustomerGateway",
        _creates(r.CUSTOMER_GATEWAY, "response.customerGateway.customerGatewayId"),
    ),
    _kind(
        "DeleteCustomerGateway",
        _deletes(r.CUSTOMER_GATEWAY, "request.customerGatewayId"),
    ),
    # supporting types: reachability reads them, revert may delete them
    _kind(
        "AssociateDhcpOptions",
        _edits(r.VPC, "request.vpcId", ("DhcpOptionsId",), CHANGE),
    ),
    _kind("CreateSubnet", _creates(r.SUBNET, "response.subnet.subnetId")),
    _kind("DeleteSubnet", _deletes(r.SUBNET, "request.subnetId")),
    _kind(
        "ModifySubnetAttribute",
        _edits(
            r.SUBNET,
            "request.subnetId",
            ("MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation"),
            CHANGE,
            p.field_parameter,
        ),
    ),
    _kind(
        "ModifyManagedPrefixList",
        _edits(r.PREFIX_LIST, "request.prefixListId", ("Entries",), CHANGE),
    ),
    _kind(
        "CreateEgressOnlyInternetGateway",
        _creates(
            r.EGRESS_ONLY_INTERNET_GATEWAY,
            "response.egressOnlyInternetGateway.egressOnlyInternetGatewayId",
        ),
    ),
    _kind(
        "DeleteEgressOnlyInternetGateway",
        _deletes(r.EGRESS_ONLY_INTERNET_GATEWAY, "request.egressOnlyInternetGatewayId"),
    ),
    # tags, on every type
    _kind(
        "CreateTags",
        _edits(
            ANY_TYPE,
            "request.resourcesSet.resourceId",
            ("Tags", "TagSet"),
            ADD,
            p.tag_keys,
        ),
    ),
    _kind(
        "DeleteTags",
        _edits(
            ANY_TYPE,
            "request.resourcesSet.resourceId",
            ("Tags", "TagSet"),
            REMOVE,
            p.tag_keys,
        ),
    ),
)

EVENT_KINDS: Mapping[str, EventKind] = {
    kind.name: kind for kind in EVENT_KINDS_IN_ORDER
}
EVENT_NAMES: tuple[str, ...] = tuple(kind.name for kind in EVENT_KINDS_IN_ORDER)


def event_names_for(resource_type: str) -> tuple[str, ...]:
    """The calls that can change a resource type (tag calls included)."""
    return tuple(
        kind.name
        for kind in EVENT_KINDS_IN_ORDER
        if {resource_type, ANY_TYPE} & set(kind.resource_types)
    )
